import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { getBotApp } from '../../shared/app';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';
import { type LoopbackServer, startLoopbackServer } from '../helpers/servers';

const APP_ID = '11111111-2222-3333-4444-555555555555';

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
      MicrosoftAppTenantId: '99999999-0000-0000-0000-000000000000',
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
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt(trusted.privateKey, connector.url)}` },
      body: JSON.stringify(userMessage(connector.url, 'help', { conversationId: 'a:signed' })),
    });
    assert.equal(response.status, 200);
  });
});
