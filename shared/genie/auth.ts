import { ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

import type { DatabricksAuthConfig } from '../config';
import { HttpNetworkError, HttpTimeoutError, type KeepAliveHttpClient } from '../http';
import { type Clock, systemClock } from '../runtime';
import { GenieAuthError, GenieSignInRequiredError } from './errors';

/** Azure Databricks' application id in Microsoft Entra ID: the resource a token must be for. */
export const AZURE_DATABRICKS_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

/** Supplies the bearer token for Databricks calls. */
export interface DatabricksTokenSource {
  getToken(): Promise<string>;
  /** Forget the cached token (after a 401) so the next call fetches a fresh one. */
  invalidate(): void;
}

export interface IssuedToken {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/**
 * Caches a token until shortly before it expires and refreshes it with one request at a time:
 * fifty invocations needing a token at once share one fetch. When a refresh fails while the old
 * token is still valid, the old one is used.
 */
export class CachedTokenSource implements DatabricksTokenSource {
  private current?: IssuedToken & { readonly issuedAt: number };
  private inflight?: Promise<IssuedToken>;
  fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly clock: Clock = systemClock,
    /** Refresh this long before expiry (capped at a quarter of the token's lifetime). @default 300000 */
    private readonly refreshMarginMs = 5 * 60_000,
  ) {}

  async getToken(): Promise<string> {
    const now = this.clock.now();
    const current = this.current;
    if (current && now < current.expiresAt - Math.min(this.refreshMarginMs, (current.expiresAt - current.issuedAt) / 4)) {
      return current.token;
    }
    try {
      return (await this.refresh()).token;
    } catch (error: unknown) {
      if (current && now < current.expiresAt) return current.token;
      throw error;
    }
  }

  invalidate(): void {
    this.current = undefined;
  }

  private refresh(): Promise<IssuedToken> {
    this.inflight ??= (async () => {
      try {
        this.fetches++;
        const issuedAt = this.clock.now();
        const token = await this.fetchToken();
        this.current = { ...token, issuedAt };
        return token;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

/**
 * The asker's own token for one question (GENIE_IDENTITY=user), from the Bot Framework token
 * service, which keeps and refreshes it: fetched when first needed and again after a 401, never
 * stored. No token there means the person must sign in (again).
 */
export function userTokenSource(fetchToken: () => Promise<string | undefined>): DatabricksTokenSource {
  let current: Promise<string> | undefined;
  return {
    getToken: () =>
      (current ??= fetchToken().then((token) => {
        if (token === undefined) {
          current = undefined;
          throw new GenieSignInRequiredError();
        }
        return token;
      })),
    invalidate: () => void (current = undefined),
  };
}

/** GENIE_IDENTITY=user without credentials of the app's own: every question carries its asker's token instead. */
export function noServiceCredentials(): DatabricksTokenSource {
  return {
    getToken: () =>
      Promise.reject(new GenieAuthError('no Databricks credentials of the app (GENIE_IDENTITY=user asks with the asker’s token)')),
    invalidate: () => undefined,
  };
}

/** A personal access token: nothing to refresh. */
export function patTokenSource(token: string): DatabricksTokenSource {
  return { getToken: () => Promise.resolve(token), invalidate: () => undefined };
}

/** Databricks OAuth M2M: client credentials at `<host>/oidc/v1/token`, scope all-apis. */
export function databricksOAuthTokenSource(
  host: string,
  clientId: string,
  clientSecret: string,
  http: KeepAliveHttpClient,
  clock: Clock = systemClock,
): CachedTokenSource {
  return new CachedTokenSource(async () => {
    const started = clock.now();
    let response;
    try {
      response = await http.request<{ access_token?: string; expires_in?: number; error?: string }>({
        method: 'POST',
        url: `${host}/oidc/v1/token`,
        auth: { username: clientId, password: clientSecret },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        data: 'grant_type=client_credentials&scope=all-apis',
      });
    } catch (error: unknown) {
      if (error instanceof HttpNetworkError || error instanceof HttpTimeoutError) {
        throw new GenieAuthError(`Databricks OAuth token endpoint unreachable: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const body = response.data;
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      const reason = typeof body?.error === 'string' ? ` ${body.error}` : '';
      throw new GenieAuthError(
        `Databricks OAuth token request failed (${response.status}${reason}): check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET`,
      );
    }
    return { token: body.access_token, expiresAt: started + (body.expires_in ?? 3600) * 1000 };
  }, clock);
}

/** Microsoft Entra ID for Azure Databricks, from any `@azure/identity` credential. */
export function entraTokenSource(credential: TokenCredential, clock: Clock = systemClock): CachedTokenSource {
  return new CachedTokenSource(async () => {
    let token;
    try {
      token = await credential.getToken(`${AZURE_DATABRICKS_RESOURCE}/.default`);
    } catch (error: unknown) {
      throw new GenieAuthError(`Microsoft Entra ID token for Azure Databricks failed: ${errorName(error)}`, { cause: error });
    }
    if (!token) throw new GenieAuthError('Microsoft Entra ID returned no token for Azure Databricks');
    return { token: token.token, expiresAt: token.expiresOnTimestamp };
  }, clock);
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]?.slice(0, 200)}` : 'unknown error';
}

/** The token source the configuration asks for. */
export function createTokenSource(
  host: string,
  auth: DatabricksAuthConfig,
  http: KeepAliveHttpClient,
  clock: Clock = systemClock,
): DatabricksTokenSource {
  switch (auth.type) {
    case 'pat':
      return patTokenSource(auth.token);
    case 'oauth-m2m':
      return databricksOAuthTokenSource(host, auth.clientId, auth.clientSecret, http, clock);
    case 'azure-client-secret':
      return entraTokenSource(new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret), clock);
    case 'azure-msi': {
      const credential = auth.clientId ? new ManagedIdentityCredential({ clientId: auth.clientId }) : new ManagedIdentityCredential();
      return entraTokenSource(credential, clock);
    }
  }
}
