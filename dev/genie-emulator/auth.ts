import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { ApiError } from './api-error';
import { type Caller, type EmulatorUser, SERVICE_CALLER } from './principals';
import type { OAuthClient } from './types';
import type { Reply } from './wire';

const DEFAULT_TOKEN_LIFETIME_S = 3_600;

/** Bearer tokens for the Genie API: the configured static ones, and those issued by the OAuth M2M token endpoint. */
export class TokenAuth {
  private readonly issued = new Map<string, number>();
  /** Tokens issued since the last reset. */
  issuedCount = 0;

  private readonly users: Map<string, EmulatorUser>;

  constructor(
    private readonly staticTokens: ReadonlySet<string>,
    private readonly clients: readonly OAuthClient[],
    private readonly now: () => number,
    users: readonly EmulatorUser[] = [],
  ) {
    this.users = new Map(users.map((u) => [u.token, u]));
  }

  /** A person's token stops working (expired or revoked): the API answers 401 to it. */
  revoke(token: string): void {
    this.users.delete(token);
  }

  /** Throws the API's 401 unless the request carries a known, unexpired bearer token; says whose it is. */
  authenticate(req: IncomingMessage): Caller {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1];
    if (token === undefined) {
      throw new ApiError(401, 'Credential was not sent or was of an unsupported type for this API.', 'UNAUTHENTICATED');
    }
    const user = this.users.get(token);
    if (user) return { kind: 'user', user };
    if (this.staticTokens.has(token)) return SERVICE_CALLER;
    const expiresAt = this.issued.get(token);
    if (expiresAt !== undefined && this.now() < expiresAt) return SERVICE_CALLER;
    throw new ApiError(
      401,
      expiresAt === undefined ? 'Invalid access token.' : 'Invalid access token: the token has expired.',
      'UNAUTHENTICATED',
    );
  }

  /** POST /oidc/v1/token: client credentials (form or Basic), grant_type client_credentials, scope all-apis. */
  issueToken(req: IncomingMessage, body: Buffer): Reply {
    const form = new URLSearchParams(body.toString('utf8'));
    let clientId = form.get('client_id') ?? undefined;
    let clientSecret = form.get('client_secret') ?? undefined;
    const basic = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        clientId = decoded.slice(0, colon);
        clientSecret = decoded.slice(colon + 1);
      }
    }
    const client = this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!client) return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    if (form.get('grant_type') !== 'client_credentials') {
      return {
        status: 400,
        json: { error: 'unsupported_grant_type', error_description: 'Only grant_type=client_credentials is supported' },
      };
    }
    if (!(form.get('scope') ?? '').split(/\s+/).includes('all-apis')) {
      return { status: 400, json: { error: 'invalid_scope', error_description: 'The scope must include all-apis' } };
    }
    const expiresIn = client.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_S;
    const accessToken = `emu-m2m-${randomBytes(24).toString('hex')}`;
    this.issued.set(accessToken, this.now() + expiresIn * 1000);
    this.issuedCount++;
    return { status: 200, json: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: 'all-apis' } };
  }

  /** Issued tokens stay valid across a reset (clients hold them); only the count starts over. */
  resetCount(): void {
    this.issuedCount = 0;
  }
}
