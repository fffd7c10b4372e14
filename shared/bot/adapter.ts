import {
  type Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type SignInUrlResponse,
  type TurnContext,
} from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationConstants, type ClaimsIdentity } from 'botframework-connector';

import type { AppConfig } from '../config';
import { parseRetryAfter, retryDelay } from '../genie';
import { ensureError } from '../http';
import { type Clock, type Random, systemClock } from '../runtime';
import type { StoredReference } from '../state';
import { keepEntityFields } from './entity-serialization';

/**
 * The one place that touches botbuilder's hosting classes (CloudAdapter and its authentication).
 * A move to the Microsoft 365 Agents SDK replaces this file.
 */

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body (already checked to be an activity). */
  readonly body: Record<string, unknown>;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body?: unknown;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * Decides, once the request is authenticated and before any turn, how the activity is handled:
 * by a turn, or by a status at once (a refusal: nothing else happens).
 */
export type TurnRouter = (activity: Activity) => Promise<TurnLogic | WebhookResponse>;

/** How {@link BotHost} retries its sends outside a turn; clock and randomness injectable for tests. */
export interface BotHostOptions {
  readonly retry?: SendRetryPolicy;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** Sends to a conversation outside a turn (the answer worker). */
export interface ConversationSender {
  /** Sends an activity; resolves with its id when the channel gives one. `retry: false` for courtesies like typing. */
  send(reference: StoredReference, activity: Partial<Activity>, options?: { readonly retry?: boolean }): Promise<string | undefined>;
  /** Replaces an earlier activity in place. */
  update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void>;
  /** Deletes an earlier activity of the bot's. */
  delete(reference: StoredReference, activityId: string): Promise<void>;
}

/** Whose token: the Teams user id and the channel, as the token service keys them. */
export interface TokenUser {
  readonly userId: string;
  readonly channelId: string;
}

/**
 * The Bot Framework token service for one OAuth connection (GENIE_IDENTITY=user), through
 * botbuilder's own UserTokenClient. It keeps and refreshes people's tokens; we never store them.
 */
export interface UserTokens {
  /** The person's current token, or undefined when they must sign in; `code` completes a sign-in (verifyState). */
  get(user: TokenUser, code?: string): Promise<string | undefined>;
  /** Teams SSO: exchanges the token Teams sent for one of the connection; undefined when that fails. */
  exchange(user: TokenUser, token: string): Promise<string | undefined>;
  /** The link and token-exchange resource an OAuthCard needs. */
  signInResource(activity: Partial<Activity>): Promise<SignInUrlResponse>;
  signOut(user: TokenUser): Promise<void>;
}

/**
 * Retries for sends outside a turn (the worker's replies): Teams answers 429 above ~7 messages/s
 * per conversation, and 412/502/504 at times. The only retry layer on that path: botbuilder's own
 * is turned off there (see {@link withoutPipelineRetry}).
 */
export interface SendRetryPolicy {
  /** Retries after the first attempt. @default 4 */
  readonly retries: number;
  /** First backoff when the connector gives no Retry-After; doubles each retry. @default 500 */
  readonly baseDelayMs: number;
  /** @default 8000 */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the send fails and the queue retries the job later. @default 30000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_SEND_RETRY_POLICY: SendRetryPolicy = Object.freeze({
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
});

const RETRYABLE_CONNECTOR_STATUSES = new Set([412, 429, 502, 504]);

export function connectorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The Retry-After of a failed connector call (a RestError keeps the response's headers). */
function retryAfterHeader(error: unknown): string | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } } | null)?.response?.headers;
  return typeof headers?.get === 'function' ? headers.get('retry-after') : undefined;
}

/**
 * Runs a connector call, retrying throttling and gateway errors: after the connector's Retry-After
 * (seconds or an HTTP date) when it gives one, else with backoff and jitter.
 */
export async function withConnectorRetry<T>(
  call: () => Promise<T>,
  policy: SendRetryPolicy = DEFAULT_SEND_RETRY_POLICY,
  clock: Clock = systemClock,
  random: Random = Math.random,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    try {
      return await call();
    } catch (error: unknown) {
      const status = connectorStatus(error);
      if (retry > policy.retries || status === undefined || !RETRYABLE_CONNECTOR_STATUSES.has(status)) throw error;
      const retryAfterMs = parseRetryAfter(retryAfterHeader(error), clock.now());
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) throw error;
      await clock.sleep(retryDelay(retry, policy, random, retryAfterMs));
    }
  }
}

/** The name @azure/core-rest-pipeline gives the retry policy every botbuilder ConnectorClient carries. */
const PIPELINE_RETRY_POLICY = 'defaultRetryPolicy';

/**
 * Takes botbuilder's own retry (3 retries of 5xx and of 429/503 with Retry-After, on the wall
 * clock) off the turn's connector client, so {@link withConnectorRetry} is the one layer: stacked,
 * five 502s would cost up to 20 requests. The client is private to botbuilder; if a version hides
 * it, nothing changes here and the attempt-counting tests fail.
 */
function withoutPipelineRetry(context: TurnContext): void {
  const connector: unknown = context.turnState.get(context.adapter.ConnectorClientKey);
  const pipeline = (connector as { client?: { pipeline?: { removePolicy?: (policy: { name: string }) => unknown } } } | undefined)?.client
    ?.pipeline;
  pipeline?.removePolicy?.({ name: PIPELINE_RETRY_POLICY });
}

/**
 * botbuilder takes any one endpoint setting as "all are given": so overriding where signing keys
 * or user tokens come from means restating the public cloud's other endpoints.
 */
function publicCloudWith(settings: AppConfig['bot']): Record<string, string | boolean> {
  if (!settings.openIdMetadataUrl && !settings.oauthUrl) return {};
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: settings.oauthUrl ?? AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: settings.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/** Token failures botbuilder may throw: each means "not a valid Bot Framework token" (401). */
const INVALID_TOKEN_ERRORS = new Set(['AuthenticationError', 'JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/** CloudAdapter with its turn entry made reachable for an already authenticated request. */
class AuthenticatedCloudAdapter extends CloudAdapter {
  runTurn(auth: AuthenticateRequestResult, activity: Activity, logic: TurnLogic): Promise<InvokeResponse | undefined> {
    return this.processActivity(auth, activity, logic);
  }

  /** The bot's own identity, as CloudAdapter uses for proactive turns. */
  botClaims(appId: string): ClaimsIdentity {
    return this.createClaimsIdentity(appId);
  }
}

/** What botbuilder's own request path does to an activity: ISO timestamps become Dates, raw kept. */
function fixTimestamps(body: Record<string, unknown>): Activity {
  const activity: Record<string, unknown> = { ...body };
  for (const field of ['timestamp', 'localTimestamp', 'expiration']) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[`raw${field[0]?.toUpperCase()}${field.slice(1)}`] = value;
      activity[field] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}

export class BotHost implements ConversationSender {
  private readonly adapter: AuthenticatedCloudAdapter;
  private readonly auth: ConfigurationBotFrameworkAuthentication;
  readonly appId: string;
  private readonly sending: Required<BotHostOptions>;

  constructor(
    settings: AppConfig['bot'],
    onTurnError: (context: TurnContext, error: unknown) => Promise<void>,
    options: BotHostOptions = {},
  ) {
    this.sending = {
      retry: options.retry ?? DEFAULT_SEND_RETRY_POLICY,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
    };
    this.auth = new ConfigurationBotFrameworkAuthentication({
      ...(settings.appId ? { MicrosoftAppId: settings.appId } : {}),
      ...(settings.appPassword ? { MicrosoftAppPassword: settings.appPassword } : {}),
      ...(settings.appId ? { MicrosoftAppType: settings.appType } : {}),
      ...(settings.tenantId ? { MicrosoftAppTenantId: settings.tenantId } : {}),
      ...publicCloudWith(settings),
    });
    keepEntityFields();
    this.adapter = new AuthenticatedCloudAdapter(this.auth);
    this.adapter.onTurnError = onTurnError;
    this.appId = settings.appId ?? '';
  }

  /**
   * Authenticates one webhook request with botbuilder's own token validation, then runs the turn
   * through CloudAdapter (InvokeResponse included). Every activity type goes through here. A bad
   * token is a 401 whichever error botbuilder throws for it (4.23.3 lets a bad signature out as a
   * plain JsonWebTokenError, which CloudAdapter.process would turn into a 500); keys that cannot be
   * fetched are a 503, so the channel retries. `route` runs between authentication and the turn.
   */
  async process(request: WebhookRequest, route: TurnRouter): Promise<WebhookResponse> {
    const activity = fixTimestamps(request.body);
    let auth: AuthenticateRequestResult;
    try {
      auth = await this.auth.authenticateRequest(activity, request.headers.authorization ?? '');
    } catch (error: unknown) {
      const name = error instanceof Error ? error.name : '';
      if (INVALID_TOKEN_ERRORS.has(name) || connectorStatus(error) === 401)
        return { status: 401, body: { error: 'the Bot Framework token is not valid' } };
      return { status: 503, body: { error: 'the Bot Framework token could not be checked right now' } };
    }
    const handling = await route(activity);
    if (typeof handling !== 'function') return handling;
    const invoke = await this.adapter.runTurn(auth, activity, handling);
    return { status: invoke?.status ?? 200, ...(invoke?.body !== undefined ? { body: invoke.body } : {}) };
  }

  private continue(reference: StoredReference, logic: TurnLogic): Promise<void> {
    return this.adapter.continueConversationAsync(this.appId, reference, logic);
  }

  /**
   * Runs `logic` in a proactive turn and rethrows its failure: CloudAdapter would hand the error
   * to onTurnError and resolve, leaving the caller to believe the send worked.
   */
  private async inConversation(reference: StoredReference, logic: TurnLogic): Promise<void> {
    let failure: unknown;
    await this.continue(reference, async (context) => {
      try {
        withoutPipelineRetry(context);
        await logic(context);
      } catch (error: unknown) {
        failure = error;
      }
    });
    if (failure !== undefined) throw ensureError(failure);
  }

  async send(
    reference: StoredReference,
    activity: Partial<Activity>,
    options: { readonly retry?: boolean } = {},
  ): Promise<string | undefined> {
    let id: string | undefined;
    const once = () => this.inConversation(reference, async (context) => void (id = (await context.sendActivity(activity))?.id));
    await (options.retry === false ? once() : this.withRetry(once));
    return id;
  }

  async update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    await this.withRetry(
      // botbuilder fills in `type` for sends but not for updates; channels refuse an update without one.
      () =>
        this.inConversation(
          reference,
          async (context) => void (await context.updateActivity({ type: 'message', ...activity, id: activityId })),
        ),
    );
  }

  async delete(reference: StoredReference, activityId: string): Promise<void> {
    await this.withRetry(() => this.inConversation(reference, (context) => context.deleteActivity(activityId)));
  }

  /** The token service for `connectionName`, as the bot (its app token in Azure, none locally). */
  userTokens(connectionName: string): UserTokens {
    const client = this.auth.createUserTokenClient(this.adapter.botClaims(this.appId));
    return {
      get: async (user, code) => (await (await client).getUserToken(user.userId, connectionName, user.channelId, code ?? ''))?.token,
      exchange: async (user, token) => {
        try {
          return (await (await client).exchangeToken(user.userId, connectionName, user.channelId, { token }))?.token;
        } catch {
          // The token service refuses what it cannot exchange (consent missing, wrong audience): Teams then shows the button.
          return undefined;
        }
      },
      signInResource: async (activity) => (await client).getSignInResource(connectionName, activity as Activity, ''),
      signOut: async (user) => (await client).signOutUser(user.userId, connectionName, user.channelId),
    };
  }

  private withRetry(call: () => Promise<void>): Promise<void> {
    return withConnectorRetry(call, this.sending.retry, this.sending.clock, this.sending.random);
  }
}
