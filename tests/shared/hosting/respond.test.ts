import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { HttpRequest } from '@azure/functions';

import { acceptsGzip, GZIP_MIN_BYTES, jsonResponse } from '../../../shared/hosting';

function request(acceptEncoding?: string): HttpRequest {
  return new HttpRequest({
    method: 'GET',
    url: 'http://127.0.0.1/api/x',
    headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
  });
}

function header(response: { headers?: unknown }, name: string): string | undefined {
  return (response.headers as Record<string, string>)[name];
}

describe('gzip for responses of 1 KB and more', () => {
  it('reads Accept-Encoding like a server should', () => {
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br;q=1.0, gzip;q=0.8'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('*;q=0'), false);
    assert.equal(acceptsGzip('identity'), false);
    assert.equal(acceptsGzip(undefined), false);
  });

  it('gzips a large body for a client that accepts it, and the decoded body is the original', async () => {
    const value = { rows: Array.from({ length: 200 }, (_, i) => ({ i, name: `row ${i}` })) };
    const response = await jsonResponse(request('gzip, deflate'), 200, value);
    assert.equal(header(response, 'Content-Encoding'), 'gzip');
    assert.equal(header(response, 'Vary'), 'Accept-Encoding');
    const body = response.body as Buffer;
    assert.deepEqual(JSON.parse(gunzipSync(body).toString('utf8')), value);
    assert.ok(body.length < JSON.stringify(value).length / 3);
  });

  it('sends small bodies and clients that do not accept gzip the identity encoding', async () => {
    const small = await jsonResponse(request('gzip'), 200, { ok: true });
    assert.equal(header(small, 'Content-Encoding'), undefined);
    assert.ok((small.body as Buffer).length < GZIP_MIN_BYTES);
    const big = { text: 'y'.repeat(GZIP_MIN_BYTES) };
    const refused = await jsonResponse(request('gzip;q=0'), 200, big);
    assert.equal(header(refused, 'Content-Encoding'), undefined);
    assert.equal(header(refused, 'Vary'), 'Accept-Encoding', 'caches learn the body depends on the header');
    assert.deepEqual(JSON.parse((refused.body as Buffer).toString('utf8')), big);
    const edge = await jsonResponse(request('gzip'), 200, 'z'.repeat(GZIP_MIN_BYTES - 2));
    assert.equal(header(edge, 'Content-Encoding'), 'gzip', 'exactly 1,024 bytes is compressed');
  });
});
