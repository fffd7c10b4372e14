import type { IncomingMessage, ServerResponse } from 'node:http';

/** One token route and what it was asked (never the token). */
export interface TokenServiceRequest {
  readonly route: 'GetToken' | 'exchange' | 'GetSignInResource' | 'SignOut';
  readonly userId?: string;
}

/**
 * The Bot Framework token service as botbuilder's real UserTokenClient calls it (OAuthUrl):
 * GET /api/usertoken/GetToken (404 when the user has no token), POST /api/usertoken/exchange,
 * GET /api/botsignin/GetSignInResource, DELETE /api/usertoken/SignOut. Tests play the user's side:
 * signing in, revoking, or letting Teams' SSO token be exchanged.
 */
export interface FakeTokenService {
  /** What signing in does: `userId` now has `token` for `connectionName`. */
  signIn(userId: string, token: string, connectionName?: string): void;
  /** Revocation or sign-out elsewhere: the token service holds nothing for `userId`. */
  revoke(userId: string, connectionName?: string): void;
  /** Teams SSO: an exchange of `ssoToken` gives `token` (other exchanges fail). */
  allowExchange(ssoToken: string, token: string): void;
  /** The sign-in page's code: GetToken with `code` signs `userId` in with `token`. */
  issueCode(userId: string, code: string, token: string): void;
  /** Requests so far, optionally of one route. */
  requests(route?: TokenServiceRequest['route']): TokenServiceRequest[];
  /** Serves a request if it is one of the token routes; false when it is not. */
  handle(req: IncomingMessage, res: ServerResponse, baseUrl: string): Promise<boolean>;
}

/** The connection name the dev host and tests use. */
export const FAKE_CONNECTION_NAME = 'databricks';

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
}

export interface FakeTokenServiceOptions {
  /** Signs a person in on their first GetToken (`npm run dev` in user mode: demo users without a sign-in page). */
  readonly autoSignIn?: (userId: string) => string | undefined;
}

export function createFakeTokenService(options: FakeTokenServiceOptions = {}): FakeTokenService {
  const tokens = new Map<string, string>();
  const exchanges = new Map<string, string>();
  const codes = new Map<string, string>();
  const seen: TokenServiceRequest[] = [];
  const key = (userId: string, connectionName: string): string => `${userId}|${connectionName}`;
  const tokenResponse = (connectionName: string, channelId: string, token: string): unknown => ({
    connectionName,
    token,
    channelId,
    expiration: new Date(Date.now() + 3_600_000).toISOString(),
  });
  return {
    signIn: (userId, token, connectionName = FAKE_CONNECTION_NAME) => void tokens.set(key(userId, connectionName), token),
    revoke: (userId, connectionName = FAKE_CONNECTION_NAME) => void tokens.delete(key(userId, connectionName)),
    allowExchange: (ssoToken, token) => void exchanges.set(ssoToken, token),
    issueCode: (userId, code, token) => void codes.set(`${userId}|${code}`, token),
    requests: (route) => seen.filter((r) => route === undefined || r.route === route),
    async handle(req, res, baseUrl) {
      const url = new URL(req.url ?? '/', baseUrl);
      const userId = url.searchParams.get('userId') ?? '';
      const connectionName = url.searchParams.get('connectionName') ?? '';
      const channelId = url.searchParams.get('channelId') ?? '';
      switch (`${req.method ?? ''} ${url.pathname}`) {
        case 'GET /api/usertoken/GetToken': {
          seen.push({ route: 'GetToken', userId });
          const code = url.searchParams.get('code');
          const fromCode = code ? codes.get(`${userId}|${code}`) : undefined;
          if (fromCode !== undefined) {
            codes.delete(`${userId}|${code}`);
            tokens.set(key(userId, connectionName), fromCode);
          }
          if (!tokens.has(key(userId, connectionName))) {
            const assigned = options.autoSignIn?.(userId);
            if (assigned !== undefined) tokens.set(key(userId, connectionName), assigned);
          }
          const token = tokens.get(key(userId, connectionName));
          if (token === undefined) json(res, 404);
          else json(res, 200, tokenResponse(connectionName, channelId, token));
          return true;
        }
        case 'POST /api/usertoken/exchange': {
          seen.push({ route: 'exchange', userId });
          const body = await readBody(req);
          const token = typeof body.token === 'string' ? exchanges.get(body.token) : undefined;
          if (token === undefined) {
            json(res, 400, { error: { code: 'ExchangeFailed', message: 'The token could not be exchanged' } });
            return true;
          }
          tokens.set(key(userId, connectionName), token);
          json(res, 200, tokenResponse(connectionName, channelId, token));
          return true;
        }
        case 'GET /api/botsignin/GetSignInResource': {
          seen.push({ route: 'GetSignInResource' });
          const state = url.searchParams.get('state') ?? '';
          json(res, 200, {
            signInLink: `${baseUrl}/signin?state=${encodeURIComponent(state)}`,
            tokenExchangeResource: {
              id: `exchange-${seen.length}`,
              uri: 'api://botid-00000000-0000-0000-0000-000000000000',
              providerId: 'aadv2',
            },
          });
          return true;
        }
        case 'DELETE /api/usertoken/SignOut': {
          seen.push({ route: 'SignOut', userId });
          tokens.delete(key(userId, connectionName));
          json(res, 200, {});
          return true;
        }
        default:
          return false;
      }
    },
  };
}
