import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { HttpRequest, InvocationContext } from '@azure/functions';

import { messages } from '../../functions/messages';
import { metrics } from '../../functions/metrics';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';

function post(body: string, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://127.0.0.1/api/messages',
    headers: { 'content-type': 'application/json', ...headers },
    body: { string: body },
  });
}

function text(response: { body?: unknown }): string {
  return Buffer.from(response.body as Uint8Array).toString('utf8');
}

describe('functions/messages and metrics before the bot is configured', () => {
  afterEach(restoreEnv);

  it('answer 503 with a pointer to /api/health, not a crash, while settings are missing', async () => {
    useEnv({ ...TEST_ENV, DATABRICKS_HOST: undefined, LOG_LEVEL: 'error' });
    const context = new InvocationContext({ functionName: 'messages', logHandler: () => undefined });
    const activity = JSON.stringify({ type: 'message', text: 'hi', conversation: { id: 'c' }, serviceUrl: 'http://127.0.0.1:9' });
    const response = await messages(post(activity), context);
    assert.equal(response.status, 503);
    assert.match(text(response), /not configured yet; see \/api\/health/);
    const metricsResponse = await metrics(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/metrics' }), context);
    assert.equal(metricsResponse.status, 503);
  });

  it('refuses a declared oversized body before reading it', async () => {
    useEnv(TEST_ENV);
    const response = await messages(
      post('{}', { 'content-length': String(300 * 1024) }),
      new InvocationContext({ functionName: 'messages' }),
    );
    assert.equal(response.status, 413);
    assert.match(text(response), /larger than 256 KB/);
  });
});
