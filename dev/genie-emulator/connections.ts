import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface SocketState {
  /** Stats generation the socket was accepted in; sockets from before a reset() no longer move the counters. */
  readonly epoch: number;
  /** bytesWritten at the last reset(). */
  bytesBase: number;
  /** Bytes of /_emulator/ responses, left out of bytesSent. */
  adminBytes: number;
  adminOnly: boolean;
  sawGenie: boolean;
}

/** Wire-level accounting: connections and bytes sent, with the admin API's traffic left out. */
export class ConnectionStats {
  private readonly sockets = new Map<Socket, SocketState>();
  private epoch = 0;
  private accepted = 0;
  private adminOnlyConnections = 0;
  private closedBytes = 0;

  accept(socket: Socket): void {
    this.accepted++;
    this.sockets.set(socket, { epoch: this.epoch, bytesBase: 0, adminBytes: 0, adminOnly: false, sawGenie: false });
    socket.once('close', () => {
      const state = this.sockets.get(socket);
      if (state) this.closedBytes += this.netBytes(socket, state);
      this.sockets.delete(socket);
    });
  }

  /** A Genie API request on `socket`: the connection counts, even if it carried admin requests before. */
  genieRequest(socket: Socket): void {
    const state = this.sockets.get(socket);
    if (state && !state.sawGenie) {
      state.sawGenie = true;
      if (state.adminOnly && state.epoch === this.epoch) this.adminOnlyConnections--;
      state.adminOnly = false;
    }
  }

  /** An admin request on `socket`: its response bytes, and the connection if it carries nothing else, are left out. */
  adminRequest(socket: Socket, res: ServerResponse): void {
    const state = this.sockets.get(socket);
    if (state && !state.sawGenie && !state.adminOnly && state.epoch === this.epoch) {
      state.adminOnly = true;
      this.adminOnlyConnections++;
    }
    const before = socket.bytesWritten;
    res.once('finish', () => {
      const current = this.sockets.get(socket);
      if (current) current.adminBytes += socket.bytesWritten - before;
      else this.closedBytes -= socket.bytesWritten - before;
    });
  }

  get connections(): number {
    return this.accepted - this.adminOnlyConnections;
  }

  get bytesSent(): number {
    let bytes = this.closedBytes;
    for (const [socket, state] of this.sockets) bytes += this.netBytes(socket, state);
    return bytes;
  }

  reset(): void {
    this.epoch++;
    this.accepted = 0;
    this.adminOnlyConnections = 0;
    this.closedBytes = 0;
    for (const [socket, state] of this.sockets) {
      state.bytesBase = socket.bytesWritten;
      state.adminBytes = 0;
    }
  }

  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  private netBytes(socket: Socket, state: SocketState): number {
    return socket.bytesWritten - state.bytesBase - state.adminBytes;
  }
}
