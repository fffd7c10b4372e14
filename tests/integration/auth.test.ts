import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';
import { type LoopbackServer, startLoopbackServer } from '../helpers/servers';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const TENANT_ID = '99999999-0000-0000-0000-000000000000';

/** A message from the bot's own tenant (the default tenant list is MicrosoftAppTenantId). */
function ownTenantMessage(serviceUrl: string, text: string, conversationId: string): Record<string, unknown> {
  const message = userMessage(serviceUrl, text, { conversationId });
  return { ...message, conversation: { ...(message.conversation as object), tenantId: TENANT_ID }, channelData: { tenant: { id: TENANT_ID } } };
}

const KID = 'test-signing-key';
const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A Bot Framework-shaped JWT (audience, issuer, service URL, expiry) signed with `key`. */
function jwt(key: KeyObject, serviceUrl: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', typ: 'JWT', kid: KID });
  const now = Math.floor(Date.now() / 1000);
  const payload = part({ aud: APP_ID, iss: 'https://api.botframework.com', serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 });
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}

describe('webhook authentication with an app id configured', () => {
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  let keys: LoopbackServer;

  before(async () => {
    genie = await startGenieEmulator({ demo: false });
    connector = await startFakeConnector();
    // The key server botbuilder checks signatures against: it publishes only the trusted key.
    keys = await startLoopbackServer((req, res) => {
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.startsWith('/keys')) {
        res.end(JSON.stringify({ keys: [{ ...trusted.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] }));
      } else {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${keys.url}/keys` }));
      }
    });
    useEnv({
      ...TEST_ENV,
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'bot-secret',
      MicrosoftAppTenantId: TENANT_ID,
      ToBotFromChannelOpenIdMetadataUrl: `${keys.url}/.well-known/openidconfiguration`,
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
    ['a JWT signed with a key Bot Framework never published', (url) => `Bearer ${jwt(attacker.privateKey, url)}`],
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
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
      assert.equal(connector.received.length, 0, 'no reply, not even typing');
    });
  }

  it('accepts a token signed with the published key (the check is not a blanket refusal)', async () => {
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt(trusted.privateKey, connector.url)}` },
      body: JSON.stringify(ownTenantMessage(connector.url, 'help', 'a:signed')),
    });
    assert.equal(response.status, 200);
  });

  it('answers 401 to a genuine token for one serviceUrl with a body naming another, and sends nothing anywhere', async () => {
    // The token was issued for the connector; the body asks for replies to go elsewhere (127.0.0.2 stands in for any other host).
    const elsewhere = connector.url.replace('127.0.0.1', '127.0.0.2');
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt(trusted.privateKey, connector.url)}` },
      body: JSON.stringify(ownTenantMessage(elsewhere, 'what is our revenue?', 'a:swapped')),
    });
    assert.equal(response.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
    assert.equal(connector.received.length, 0, 'no reply, not even typing');
  });

  it('answers 403 to a genuine token from another tenant, and processes nothing', async () => {
    const message = userMessage(connector.url, 'what is our revenue?', { conversationId: 'a:other-tenant' });
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt(trusted.privateKey, connector.url)}` },
      body: JSON.stringify({ ...message, channelData: { tenant: { id: '88888888-0000-0000-0000-000000000000' } } }),
    });
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), { error: 'tenant_not_allowed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(genie.stats().requests['start-conversation'], 0, 'no Genie call');
    assert.equal(connector.received.length, 0, 'nothing sent');
  });
});
