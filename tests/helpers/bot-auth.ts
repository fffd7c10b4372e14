import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

import { type LoopbackServer, startLoopbackServer } from './servers';

/** The bot's app id in tests that switch authentication on. */
export const TEST_APP_ID = '11111111-2222-3333-4444-555555555555';

/** The settings that switch webhook authentication on, with signing keys taken from `keys`. */
export function authEnv(keys: LoopbackServer): Record<string, string> {
  return {
    MicrosoftAppId: TEST_APP_ID,
    MicrosoftAppPassword: 'bot-secret',
    MicrosoftAppTenantId: '99999999-0000-0000-0000-000000000000',
    ToBotFromChannelOpenIdMetadataUrl: `${keys.url}/.well-known/openidconfiguration`,
  };
}

const KID = 'test-signing-key';

/** The key Bot Framework publishes, and one it never did. */
export const trustedKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const attackerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A Bot Framework-shaped JWT (audience, issuer, service URL, expiry) signed with `key`. */
export function botToken(key: KeyObject, serviceUrl: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = part({ alg: 'RS256', typ: 'JWT', kid: KID });
  const now = Math.floor(Date.now() / 1000);
  const payload = part({ aud: TEST_APP_ID, iss: 'https://api.botframework.com', serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 });
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}

/** The OpenID metadata and key set botbuilder checks signatures against: it publishes only the trusted key. */
export async function startKeyServer(): Promise<LoopbackServer> {
  const server: LoopbackServer = await startLoopbackServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.startsWith('/keys')) {
      res.end(JSON.stringify({ keys: [{ ...trustedKey.publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] }));
    } else {
      res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${server.url}/keys` }));
    }
  });
  return server;
}
