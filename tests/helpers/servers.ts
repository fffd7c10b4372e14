import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackServer {
  readonly url: string;
  readonly server: Server;
  /** TCP connections accepted so far. */
  connections(): number;
  /** Most connections open at the same time. */
  peakOpen(): number;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 with a random port that counts its TCP connections. */
export async function startLoopbackServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  // Keep sockets as long as the client wants: these tests are about the client's pool.
  server.keepAliveTimeout = 60_000;
  let accepted = 0;
  let open = 0;
  let peak = 0;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    accepted++;
    open++;
    peak = Math.max(peak, open);
    sockets.add(socket);
    socket.on('close', () => {
      open--;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    connections: () => accepted,
    peakOpen: () => peak,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with the first truthy value of `check`, looked at every 25 ms; fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await delay(25);
  }
}
