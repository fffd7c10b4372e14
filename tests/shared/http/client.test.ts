import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';

import type { HttpClientSettings } from '../../../shared/config';
import { getSharedHttpClient, HttpNetworkError, HttpTimeoutError, KeepAliveHttpClient } from '../../../shared/http';
import { delay, startLoopbackServer } from '../../helpers/servers';

const settings: HttpClientSettings = {
  connectTimeoutMs: 300,
  readTimeoutMs: 300,
  totalTimeoutMs: 1_500,
  maxSockets: 100,
  maxSocketsPerHost: 30,
  freeSocketTimeoutMs: 30_000,
};

const clients: KeepAliveHttpClient[] = [];
function client(overrides: Partial<HttpClientSettings> = {}): KeepAliveHttpClient {
  const created = new KeepAliveHttpClient({ ...settings, ...overrides });
  clients.push(created);
  return created;
}
after(() => clients.forEach((c) => c.destroy()));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('KeepAliveHttpClient', () => {
  it('sends 50 sequential requests over exactly one TCP connection', async () => {
    const server = await startLoopbackServer((_req, res) => void res.end('{"ok":true}'));
    const http = client();
    for (let i = 0; i < 50; i++) {
      const response = await http.request<{ ok: boolean }>({ url: `${server.url}/n/${i}` });
      assert.equal(response.data.ok, true);
    }
    assert.equal(server.connections(), 1);
    const stats = http.stats();
    assert.equal(stats.socketsCreated, 1);
    assert.equal(stats.socketsReused, 49);
    await server.close();
  });

  it('never opens more than the per-host cap, however many requests run at once', async () => {
    const server = await startLoopbackServer(async (_req, res) => {
      await delay(40);
      res.end('done');
    });
    // Queued requests wait for a socket within their timeouts: generous ones, so a busy machine cannot fail a test about the cap.
    const http = client({ maxSocketsPerHost: 4, readTimeoutMs: 5_000, totalTimeoutMs: 10_000 });
    const responses = await Promise.all(Array.from({ length: 24 }, () => http.request({ url: server.url })));
    assert.ok(responses.every((r) => r.status === 200));
    assert.equal(server.peakOpen(), 4, 'the pool filled up to its cap and no further');
    assert.equal(server.connections(), 4);
    await server.close();
  });

  it('trips the read timeout when a server stalls mid-response, then keeps working', async () => {
    const server = await startLoopbackServer((req, res) => {
      if (req.url === '/stall') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"partial":'); // and nothing more
        return;
      }
      res.end('{"ok":true}');
    });
    const http = client();
    const error = await rejection(http.request({ url: `${server.url}/stall` }));
    assert.ok(error instanceof HttpTimeoutError, `got ${String(error)}`);
    assert.equal(error.kind, 'read');
    assert.match(error.message, /read timeout/);
    assert.equal(error.path, '/stall');
    const next = await http.request<{ ok: boolean }>({ url: `${server.url}/fine` });
    assert.equal(next.data.ok, true, 'the shared client needs no rebuild after a timeout');
    assert.equal(http.stats().timeouts.read, 1);
    await server.close();
  });

  it('trips the total timeout on a slow drip that never goes quiet long enough for the read timeout', async () => {
    let dripping: NodeJS.Timeout | undefined;
    const server = await startLoopbackServer((req, res) => {
      if (req.url !== '/drip') return void res.end('{"ok":true}');
      res.writeHead(200);
      dripping = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(dripping));
    });
    const http = client({ totalTimeoutMs: 700 });
    const error = await rejection(http.request({ url: `${server.url}/drip` }));
    assert.ok(error instanceof HttpTimeoutError, `got ${String(error)}`);
    assert.equal(error.kind, 'total');
    assert.match(error.message, /700 ms/);
    const next = await http.request<{ ok: boolean }>({ url: `${server.url}/ok` });
    assert.equal(next.data.ok, true);
    clearInterval(dripping);
    await server.close();
  });

  it('trips the connect timeout when the TLS handshake never completes (loopback only)', async () => {
    // Accepts TCP but never answers the ClientHello: the connection is not usable in time.
    const held: Socket[] = [];
    const silent = createTcpServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const http = client({ connectTimeoutMs: 200, readTimeoutMs: 5_000, totalTimeoutMs: 5_000 });
    const error = await rejection(http.request({ url: `https://127.0.0.1:${port}/` }));
    assert.ok(error instanceof HttpTimeoutError, `got ${String(error)}`);
    assert.equal(error.kind, 'connect');
    assert.match(error.message, /connect timeout/);
    held.forEach((s) => s.destroy());
    silent.close();
  });

  it('reports a reset on a pooled socket as a network error that says the socket was reused', async () => {
    let requestsOnSocket = new WeakMap<Socket, number>();
    const server = await startLoopbackServer((req, res) => {
      const seen = (requestsOnSocket.get(req.socket) ?? 0) + 1;
      requestsOnSocket.set(req.socket, seen);
      if (seen === 2) return void req.socket.destroy(); // the server drops the kept-alive connection
      res.end('{"ok":true}');
    });
    const http = client();
    await http.request({ url: server.url });
    const error = await rejection(http.request({ url: server.url, method: 'POST', data: {} }));
    assert.ok(error instanceof HttpNetworkError, `got ${String(error)}`);
    assert.equal(error.reusedSocket, true);
    assert.equal(error.method, 'POST');
    requestsOnSocket = new WeakMap();
    await server.close();
  });

  it('hands back HTTP error statuses as responses for the caller to interpret', async () => {
    const server = await startLoopbackServer((_req, res) => {
      res.writeHead(429, { 'Retry-After': '3', 'Content-Type': 'application/json' });
      res.end('{"error_code":"RESOURCE_EXHAUSTED"}');
    });
    const response = await client().request<{ error_code: string }>({ url: server.url });
    assert.equal(response.status, 429);
    assert.equal(response.headers['retry-after'], '3');
    assert.equal(response.data.error_code, 'RESOURCE_EXHAUSTED');
    await server.close();
  });
});

describe('getSharedHttpClient', () => {
  it('is one client per process: the same instance for the same settings, an error for other settings', () => {
    const first = getSharedHttpClient(settings);
    clients.push(first);
    assert.equal(getSharedHttpClient({ ...settings }), first);
    assert.throws(() => getSharedHttpClient({ ...settings, readTimeoutMs: settings.readTimeoutMs + 1 }), /built with other settings/);
    assert.equal(getSharedHttpClient(settings), first, 'the refusal changed nothing');
  });
});
