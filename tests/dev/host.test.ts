import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { type DevHost, startDevHost } from '../../dev/host';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';

function fetchRaw(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dev host', () => {
  let host: DevHost;
  const logs: string[] = [];
  before(async () => {
    useEnv(TEST_ENV);
    host = await startDevHost({ port: 0, log: (line) => logs.push(line) });
  });
  after(restoreEnv);

  it('serves every HTTP function of functions/ at /api/<route>', async () => {
    const routes = host.definitions.filter((d) => d.kind === 'http').map((d) => d.route);
    assert.ok(routes.includes('health'));
    const { status, body } = await fetchRaw(`${host.url}/api/health`);
    assert.equal(status, 200);
    assert.equal((JSON.parse(body) as { status: string }).status, 'ok');
    assert.equal(host.url.startsWith('http://127.0.0.1:'), true, 'loopback only');
  });

  it('answers 404 for unknown routes and for methods a function does not accept, like the host', async () => {
    const unknown = await fetchRaw(`${host.url}/api/nothing-here`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /no function serves GET \/api\/nothing-here/);
    const wrongMethod = await fetchRaw(`${host.url}/api/health`, 'DELETE');
    assert.equal(wrongMethod.status, 404);
  });

  it('stops cleanly and frees its port', async () => {
    await host.close();
    await assert.rejects(fetchRaw(`${host.url}/api/health`), /ECONNREFUSED/);
  });
});
