import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { getBotApp } from '../../shared/app';
import { attackerKey, authEnv, botToken, startKeyServer, trustedKey } from '../helpers/bot-auth';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';
import type { LoopbackServer } from '../helpers/servers';

describe('webhook authentication with an app id configured', () => {
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  let keys: LoopbackServer;

  before(async () => {
    genie = await startGenieEmulator({ demo: false });
    connector = await startFakeConnector();
    keys = await startKeyServer();
    useEnv({
      ...TEST_ENV,
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      ...authEnv(keys),
      LOG_LEVEL: 'error',
    });
    host = await startDevHost({ port: 0, log: () => undefined });
  });
  after(async () => {
    await host.close();
    await connector.close();
    await genie.close();
    await keys.close();
    restoreEnv();
  });

  const cases: [string, (serviceUrl: string) => string | undefined][] = [
    ['no token', () => undefined],
    ['a token that is not a JWT', () => 'Bearer not-a-jwt'],
    ['a JWT signed with a key Bot Framework never published', (url) => `Bearer ${botToken(attackerKey.privateKey, url)}`],
  ];
  for (const [name, token] of cases) {
    it(`answers 401 to ${name}, and processes nothing`, async () => {
      const authorization = token(connector.url);
      const response = await fetch(`${host.url}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) },
        body: JSON.stringify(userMessage(connector.url, 'what is our revenue?', { conversationId: `a:${name}` })),
      });
      assert.equal(response.status, 401);
      // Had the question got through, its job would be recorded (and handed off) before the webhook
      // answered; typing and the Genie call only follow an accepted question. No waiting needed.
      assert.equal(await getBotApp().state.stores.jobs.countLive(Date.now(), 1), 0, 'no job recorded');
      assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
      assert.equal(connector.received.length, 0, 'no reply, not even typing');
    });
  }

  it('accepts a token signed with the published key (the check is not a blanket refusal)', async () => {
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${botToken(trustedKey.privateKey, connector.url)}` },
      body: JSON.stringify(userMessage(connector.url, 'help', { conversationId: 'a:signed' })),
    });
    assert.equal(response.status, 200);
  });
});
