import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../../dev/fake-connector';
import { BotHost, DEFAULT_SEND_RETRY_POLICY } from '../../../shared/bot';
import { ManualClock } from '../../../shared/runtime';
import { attackerKey, authEnv, botToken, startKeyServer, trustedKey } from '../../helpers/bot-auth';
import { type LoopbackServer, startLoopbackServer } from '../../helpers/servers';
import { referenceTo, testConfig } from './fixtures';

describe('BotHost sends outside a turn: exactly one retry layer', () => {
  let connector: FakeConnector;
  let clock: ManualClock;
  let host: BotHost;

  before(async () => {
    connector = await startFakeConnector();
  });
  after(() => connector.close());

  // A fresh clock per test; random 0 takes the jitter out of the waits.
  const fresh = (): void => {
    clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
    host = new BotHost(testConfig().bot, () => Promise.resolve(), { clock, random: () => 0 });
  };

  it('waits the Retry-After (in seconds) of a 429 and sends on the second attempt', async () => {
    fresh();
    connector.fault({ conversationId: 'a:429', status: 429, retryAfter: '1' });
    const id = await host.send(referenceTo(connector, 'a:429'), { type: 'message', text: 'hello' });
    assert.equal(connector.attempts({ conversationId: 'a:429' }), 2, 'the refused attempt and the one that went through');
    assert.deepEqual(clock.sleeps, [1_000]);
    assert.equal(connector.messages('a:429')[0]?.id, id);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    fresh();
    connector.fault({ conversationId: 'a:429-date', status: 429, retryAfter: 'Thu, 01 Jan 2026 00:00:03 GMT' });
    await host.send(referenceTo(connector, 'a:429-date'), { type: 'message', text: 'hello' });
    assert.equal(connector.attempts({ conversationId: 'a:429-date' }), 2);
    assert.deepEqual(clock.sleeps, [3_000]);
  });

  it('gives up on 502s after the documented retries, with backoff between them', async () => {
    fresh();
    connector.fault({ conversationId: 'a:502', status: 502, times: 10 });
    await assert.rejects(host.send(referenceTo(connector, 'a:502'), { type: 'message', text: 'hello' }), { statusCode: 502 });
    assert.equal(DEFAULT_SEND_RETRY_POLICY.retries, 4);
    assert.equal(connector.attempts({ conversationId: 'a:502' }), 5, 'one attempt plus four retries, none added by botbuilder');
    assert.deepEqual(clock.sleeps, [250, 500, 1_000, 2_000]);
  });

  it('sends after four 502s: the fifth attempt is the last', async () => {
    fresh();
    connector.fault({ conversationId: 'a:502x4', status: 502, times: 4 });
    await host.send(referenceTo(connector, 'a:502x4'), { type: 'message', text: 'hello' });
    assert.equal(connector.attempts({ conversationId: 'a:502x4' }), 5);
    assert.equal(connector.messages('a:502x4').length, 1);
  });

  it('does not retry a 400', async () => {
    fresh();
    connector.fault({ conversationId: 'a:400', status: 400, times: 10 });
    await assert.rejects(host.send(referenceTo(connector, 'a:400'), { type: 'message', text: 'hello' }), { statusCode: 400 });
    assert.equal(connector.attempts({ conversationId: 'a:400' }), 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('does not wait out a Retry-After longer than the policy allows', async () => {
    fresh();
    connector.fault({ conversationId: 'a:429-long', status: 429, retryAfter: '3600' });
    await assert.rejects(host.send(referenceTo(connector, 'a:429-long'), { type: 'message', text: 'hello' }), { statusCode: 429 });
    assert.equal(connector.attempts({ conversationId: 'a:429-long' }), 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('retries an update (412) the same way, and sends typing without retries', async () => {
    fresh();
    const reference = referenceTo(connector, 'a:update');
    const id = await host.send(reference, { type: 'message', text: 'looking' });
    connector.fault({ conversationId: 'a:update', method: 'PUT', status: 412 });
    await host.update(reference, id!, { text: 'answered' });
    assert.equal(connector.attempts({ conversationId: 'a:update', method: 'PUT' }), 2);
    assert.equal(connector.messages('a:update')[0]?.activity.text, 'answered');

    connector.fault({ conversationId: 'a:update', method: 'POST', status: 429, retryAfter: '1' });
    await assert.rejects(host.send(reference, { type: 'typing' }, { retry: false }), { statusCode: 429 });
    assert.equal(connector.attempts({ conversationId: 'a:update', method: 'POST' }), 2, 'the first message, then one typing attempt');
  });
});

describe('BotHost.process: authentication', () => {
  let connector: FakeConnector;
  let keys: LoopbackServer;
  let broken: LoopbackServer;

  before(async () => {
    connector = await startFakeConnector();
    keys = await startKeyServer();
    // Where the signing keys cannot be had: Bot Framework's key endpoint is down.
    broken = await startLoopbackServer((_req, res) => void res.writeHead(503).end());
  });
  after(async () => {
    await Promise.all([connector.close(), keys.close(), broken.close()]);
  });

  function hostWithKeysAt(server: LoopbackServer): BotHost {
    const config = testConfig(authEnv(server));
    return new BotHost(config.bot, () => Promise.resolve());
  }

  async function processWith(host: BotHost, authorization: string): Promise<{ status: number; turns: number }> {
    let turns = 0;
    // The router runs only for an authenticated request; counting it counts the turns that could start.
    const response = await host.process({ headers: { authorization }, body: userMessage(connector.url, 'hello') }, () => {
      turns++;
      return Promise.resolve(() => Promise.resolve());
    });
    return { status: response.status, turns };
  }

  it('answers 401 to a token that is not a JWT, and runs no turn', async () => {
    assert.deepEqual(await processWith(hostWithKeysAt(keys), 'Bearer not-a-jwt'), { status: 401, turns: 0 });
  });

  it('answers 401 to a JWT signed with a key that was never published', async () => {
    assert.deepEqual(await processWith(hostWithKeysAt(keys), `Bearer ${botToken(attackerKey.privateKey, connector.url)}`), {
      status: 401,
      turns: 0,
    });
  });

  it('answers 503 when the signing keys cannot be fetched, so the channel retries', async () => {
    assert.deepEqual(await processWith(hostWithKeysAt(broken), `Bearer ${botToken(trustedKey.privateKey, connector.url)}`), {
      status: 503,
      turns: 0,
    });
  });

  it('runs the turn for a token signed with the published key', async () => {
    assert.deepEqual(await processWith(hostWithKeysAt(keys), `Bearer ${botToken(trustedKey.privateKey, connector.url)}`), {
      status: 200,
      turns: 1,
    });
  });
});
