import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../../dev/fake-connector';
import {
  BotHost,
  handleWebhook,
  RetryLaterError,
  STORAGE_RETRY_AFTER_SECONDS,
  type WebhookInput,
  type WebhookPolicy,
} from '../../../shared/bot';
import { MAX_WEBHOOK_BODY_BYTES } from '../../../shared/hosting';
import { testConfig } from './fixtures';

describe('the webhook', () => {
  let connector: FakeConnector;
  let host: BotHost;
  let turns: string[];
  const logic = (context: { activity: { type: string } }): Promise<void> => Promise.resolve(void turns.push(context.activity.type));

  before(async () => {
    connector = await startFakeConnector();
    host = new BotHost(testConfig().bot, () => Promise.resolve());
  });
  after(() => connector.close());

  function input(body: unknown, overrides: Partial<WebhookInput> = {}): WebhookInput {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return { method: 'POST', headers: {}, body: raw, ...overrides };
  }

  /** Runs the webhook; the turn count tells whether botbuilder saw the request. */
  async function call(
    request: WebhookInput,
    authEnabled = false,
  ): Promise<{ status: number; error?: string; headers?: Record<string, string>; turns: number }> {
    turns = [];
    const result = await handleWebhook(request, host, authEnabled, logic);
    const error = (result.body as { error?: string } | undefined)?.error;
    return {
      status: result.status,
      ...(error !== undefined ? { error } : {}),
      ...(result.headers ? { headers: result.headers } : {}),
      turns: turns.length,
    };
  }

  const activity = (): Record<string, unknown> => userMessage(connector.url, 'hello');

  it('runs a valid activity through the turn and names its type', async () => {
    turns = [];
    const result = await handleWebhook(input(activity()), host, false, logic);
    assert.equal(result.status, 200);
    assert.equal(result.activityType, 'message');
    assert.deepEqual(turns, ['message']);
  });

  it('503 with Retry-After when the turn could not record the activity, so the channel delivers it again', async () => {
    const failing = () => Promise.reject(new RetryLaterError());
    const result = await handleWebhook(input(activity()), host, false, failing);
    assert.equal(result.status, 503);
    assert.deepEqual(result.headers, { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) });
    assert.equal(result.activityType, 'message');
  });

  it('503 with Retry-After when the per-person rate could not be read', async () => {
    const refused: string[] = [];
    const policy: WebhookPolicy = {
      check: () => Promise.resolve({ allowed: false, reason: 'rate_check_failed', reply: 'unused' }),
      onRefused: (reason) => void refused.push(reason),
    };
    turns = [];
    const result = await handleWebhook(input(activity()), host, false, logic, policy);
    assert.equal(result.status, 503);
    assert.deepEqual(result.headers, { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) });
    assert.deepEqual(turns, [], 'no turn ran');
    assert.deepEqual(refused, ['rate_check_failed'], 'operators still see the refusal');
  });

  it('405 with Allow: POST for another method', async () => {
    const result = await call(input(activity(), { method: 'GET' }));
    assert.equal(result.status, 405);
    assert.deepEqual(result.headers, { Allow: 'POST' });
    assert.equal(result.turns, 0);
  });

  it('413 for a body over the limit, before parsing it', async () => {
    const result = await call(input(Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20)));
    assert.equal(result.status, 413);
    assert.equal(result.turns, 0);
  });

  it('401 without a bearer token when authentication is on, and none needed when off', async () => {
    assert.equal((await call(input(activity()), true)).status, 401);
    assert.equal((await call(input(activity(), { headers: { authorization: 'Basic abc' } }), true)).status, 401);
    assert.equal((await call(input(activity()), false)).status, 200);
  });

  const badBodies: [string, unknown][] = [
    ['a body that is not JSON', '{"type": "message"'],
    ['a JSON array', [{ type: 'message' }]],
    ['a JSON string', '"message"'],
    ['an activity without a type', { conversation: { id: 'a:1' }, serviceUrl: 'http://127.0.0.1:1' }],
    ['an activity with a blank type', { type: ' ', conversation: { id: 'a:1' }, serviceUrl: 'http://127.0.0.1:1' }],
    ['an activity without conversation.id', { type: 'message', conversation: {}, serviceUrl: 'http://127.0.0.1:1' }],
    ['an activity without a serviceUrl', { type: 'message', conversation: { id: 'a:1' } }],
    ['an activity whose serviceUrl is not http(s)', { type: 'message', conversation: { id: 'a:1' }, serviceUrl: 'file:///etc/passwd' }],
  ];
  for (const [name, body] of badBodies) {
    it(`400 with a reason for ${name}, and no turn`, async () => {
      const result = await call(input(body));
      assert.equal(result.status, 400);
      assert.ok(result.error, 'the reason is given');
      assert.equal(result.turns, 0);
    });
  }
});
