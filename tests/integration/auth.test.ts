import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import type { MetricsDocument } from '../../shared/telemetry';
import { attackerKey, authEnv, botToken, startKeyServer, trustedKey } from '../helpers/bot-auth';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';
import type { LoopbackServer } from '../helpers/servers';

/** The bot's own tenant in these tests (authEnv sets it as MicrosoftAppTenantId, the default tenant list). */
const TENANT_ID = '99999999-0000-0000-0000-000000000000';

/** A message from the bot's own tenant. */
function ownTenantMessage(serviceUrl: string, text: string, conversationId: string): Record<string, unknown> {
  const message = userMessage(serviceUrl, text, { conversationId });
  return {
    ...message,
    conversation: { ...(message.conversation as object), tenantId: TENANT_ID },
    channelData: { tenant: { id: TENANT_ID } },
  };
}

describe('webhook authentication with an app id configured', () => {
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  /** Questions the served app (deploy/) recorded and handed off, from its own /api/metrics. */
  const acceptedQuestions = async (): Promise<number> =>
    ((await (await fetch(`${host.url}/api/metrics`)).json()) as MetricsDocument).questions.accepted;
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
        body: JSON.stringify(ownTenantMessage(connector.url, 'what is our revenue?', `a:${name}`)),
      });
      assert.equal(response.status, 401);
      // Had the question got through, it would be recorded and handed off (counted as accepted) before
      // the webhook answered; typing and the Genie call only follow an accepted question. No waiting needed.
      assert.equal(await acceptedQuestions(), 0, 'no question accepted');
      assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
      assert.equal(connector.received.length, 0, 'no reply, not even typing');
    });
  }

  it('accepts a token signed with the published key (the check is not a blanket refusal)', async () => {
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${botToken(trustedKey.privateKey, connector.url)}` },
      body: JSON.stringify(ownTenantMessage(connector.url, 'help', 'a:signed')),
    });
    assert.equal(response.status, 200);
  });

  it('answers 401 to a genuine token for one serviceUrl with a body naming another, and sends nothing anywhere', async () => {
    // The token was issued for the connector; the body asks for replies to go elsewhere (127.0.0.2 stands in for any other host).
    const elsewhere = connector.url.replace('127.0.0.1', '127.0.0.2');
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${botToken(trustedKey.privateKey, connector.url)}` },
      body: JSON.stringify(ownTenantMessage(elsewhere, 'what is our revenue?', 'a:swapped')),
    });
    assert.equal(response.status, 401);
    assert.equal(await acceptedQuestions(), 0, 'no question accepted');
    assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
    assert.equal(connector.received.length, 0, 'no reply, not even typing');
  });

  it('answers 403 to a genuine token from another tenant, and processes nothing', async () => {
    const message = userMessage(connector.url, 'what is our revenue?', { conversationId: 'a:other-tenant' });
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${botToken(trustedKey.privateKey, connector.url)}` },
      body: JSON.stringify({ ...message, channelData: { tenant: { id: '88888888-0000-0000-0000-000000000000' } } }),
    });
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), { error: 'tenant_not_allowed' });
    assert.equal(await acceptedQuestions(), 0, 'no question accepted');
    assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
    assert.equal(connector.received.length, 0, 'nothing sent');
  });
});
