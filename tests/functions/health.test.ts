import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { HttpRequest, InvocationContext } from '@azure/functions';

import { health } from '../../functions/health';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';

function get(): HttpRequest {
  return new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/health' });
}

async function call(): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await health(get(), new InvocationContext({ functionName: 'health' }));
  const text = Buffer.from(response.body as Uint8Array).toString('utf8');
  return { status: response.status ?? 200, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe('GET /api/health', () => {
  afterEach(restoreEnv);

  it('answers 200 with version, uptime and instance when configuration is complete', async () => {
    useEnv(TEST_ENV);
    const { status, body } = await call();
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.equal(typeof body.uptimeSeconds, 'number');
    assert.ok(String(body.instanceId).length > 0);
    assert.deepEqual(body.config, { complete: true, missing: [], invalid: [] });
  });

  it('answers 503 naming missing and invalid settings, never their values', async () => {
    const secret = 'sp-secret-do-not-print';
    useEnv({
      ...TEST_ENV,
      DATABRICKS_HOST: undefined,
      DATABRICKS_TOKEN: undefined,
      DATABRICKS_CLIENT_ID: 'sp',
      DATABRICKS_CLIENT_SECRET: secret,
      AzureWebJobsStorage: 'not-a-connection-string-but-secret',
      STATE_STORE: 'table',
    });
    const { status, body, text } = await call();
    assert.equal(status, 503);
    assert.equal(body.status, 'misconfigured');
    const config = body.config as { complete: boolean; missing: string[]; invalid: string[] };
    assert.equal(config.complete, false);
    assert.deepEqual(config.missing, ['DATABRICKS_HOST']);
    assert.deepEqual(config.invalid, ['AzureWebJobsStorage']);
    assert.ok(!text.includes(secret) && !text.includes('not-a-connection-string'), 'no setting value in the body');
  });

  it('loads neither botbuilder nor the telemetry SDK to answer', async () => {
    useEnv(TEST_ENV);
    await call();
    const loaded = Object.keys(require.cache);
    assert.ok(!loaded.some((f) => f.includes('/node_modules/botbuilder')), 'botbuilder not loaded');
    assert.ok(!loaded.some((f) => f.includes('/node_modules/@azure/monitor-opentelemetry')), 'telemetry SDK not loaded');
    assert.ok(!loaded.some((f) => f.includes('/node_modules/axios/')), 'no HTTP client loaded');
  });
});
