import {
  type Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationConstants } from 'botframework-connector';

import type { AppConfig } from '../config';
import { ensureError } from '../http';
import { type Clock, type Random, systemClock } from '../runtime';
import type { StoredReference } from '../state';

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

/** Sends to a conversation outside a turn (the answer worker). */
export interface ConversationSender {
  /** Sends an activity; resolves with its id when the channel gives one. `retry: false` for courtesies like typing. */
  send(reference: StoredReference, activity: Partial<Activity>, options?: { readonly retry?: boolean }): Promise<string | undefined>;
  /** Replaces an earlier activity in place. */
  update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void>;
}

/** Retries for the connector: Teams answers 429 above ~7 messages/s per conversation, and 412/502/504 at times. */
export interface SendRetryPolicy {
  /** @default 4 */
  readonly retries: number;
  /** @default 500 */
  readonly baseDelayMs: number;
  /** @default 8000 */
  readonly maxDelayMs: number;
}

const RETRYABLE_CONNECTOR_STATUSES = new Set([412, 429, 502, 504]);

export function connectorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Runs a connector call, retrying throttling and gateway errors with backoff and jitter. */
export async function withConnectorRetry<T>(
  call: () => Promise<T>,
  policy: SendRetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 8_000 },
  clock: Clock = systemClock,
  random: Random = Math.random,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error: unknown) {
      const status = connectorStatus(error);
      if (attempt >= policy.retries || status === undefined || !RETRYABLE_CONNECTOR_STATUSES.has(status)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      await clock.sleep(Math.round(ceiling / 2 + (random() * ceiling) / 2));
    }
  }
}

/**
 * botbuilder takes any one endpoint setting as "all are given": so overriding where signing keys
 * come from means restating the public cloud's other endpoints.
 */
function publicCloudWithKeysFrom(openIdMetadataUrl: string): Record<string, string | boolean> {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
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

  constructor(
    settings: AppConfig['bot'],
    onTurnError: (context: TurnContext, error: unknown) => Promise<void>,
    private readonly retry?: SendRetryPolicy,
  ) {
    this.auth = new ConfigurationBotFrameworkAuthentication({
      ...(settings.appId ? { MicrosoftAppId: settings.appId } : {}),
      ...(settings.appPassword ? { MicrosoftAppPassword: settings.appPassword } : {}),
      ...(settings.appId ? { MicrosoftAppType: settings.appType } : {}),
      ...(settings.tenantId ? { MicrosoftAppTenantId: settings.tenantId } : {}),
      ...(settings.openIdMetadataUrl ? publicCloudWithKeysFrom(settings.openIdMetadataUrl) : {}),
    });
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
      if (INVALID_TOKEN_ERRORS.has(name) || connectorStatus(error) === 401) return { status: 401, body: { error: 'the Bot Framework token is not valid' } };
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
        await logic(context);
      } catch (error: unknown) {
        failure = error;
      }
    });
    if (failure !== undefined) throw ensureError(failure);
  }

  async send(reference: StoredReference, activity: Partial<Activity>, options: { readonly retry?: boolean } = {}): Promise<string | undefined> {
    let id: string | undefined;
    const once = () => this.inConversation(reference, async (context) => void (id = (await context.sendActivity(activity))?.id));
    await (options.retry === false ? once() : withConnectorRetry(once, this.retry));
    return id;
  }

  async update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    await withConnectorRetry(
      // botbuilder fills in `type` for sends but not for updates; channels refuse an update without one.
      () => this.inConversation(reference, async (context) => void (await context.updateActivity({ type: 'message', ...activity, id: activityId }))),
      this.retry,
    );
  }
}
