import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type TurnContext,
} from 'botbuilder';

import type { AppConfig } from '../config';
import { type Clock, type Random, systemClock } from '../runtime';
import type { StoredReference } from '../state';

/**
 * The one place that touches botbuilder's hosting classes (CloudAdapter and its authentication).
 * A move to the Microsoft 365 Agents SDK replaces this file.
 */

export interface WebhookRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body (already checked to be an activity). */
  readonly body: Record<string, unknown>;
}

export interface WebhookResponse {
  readonly status: number;
  readonly body?: unknown;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** Sends to a conversation outside a turn (the answer worker). */
export interface ConversationSender {
  /** Sends an activity; resolves with its id when the channel gives one. */
  send(reference: StoredReference, activity: Partial<Activity>): Promise<string | undefined>;
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

/** An express-like request/response pair around a Functions request, as CloudAdapter.process wants. */
function bridge(request: WebhookRequest): { req: Record<string, unknown>; res: Record<string, unknown>; done: () => WebhookResponse } {
  let status = 200;
  let body: unknown;
  const res = {
    status(code: number) {
      status = code;
      return res;
    },
    header() {
      return res;
    },
    send(value: unknown) {
      body = value;
      return res;
    },
    end() {
      return res;
    },
  };
  return {
    req: { method: request.method, headers: request.headers, body: request.body },
    res,
    done: () => ({ status, ...(body !== undefined ? { body } : {}) }),
  };
}

export class BotHost implements ConversationSender {
  private readonly adapter: CloudAdapter;
  readonly appId: string;

  constructor(
    settings: AppConfig['bot'],
    onTurnError: (context: TurnContext, error: unknown) => Promise<void>,
    private readonly retry?: SendRetryPolicy,
  ) {
    const auth = new ConfigurationBotFrameworkAuthentication({
      ...(settings.appId ? { MicrosoftAppId: settings.appId } : {}),
      ...(settings.appPassword ? { MicrosoftAppPassword: settings.appPassword } : {}),
      ...(settings.appId ? { MicrosoftAppType: settings.appType } : {}),
      ...(settings.tenantId ? { MicrosoftAppTenantId: settings.tenantId } : {}),
    });
    this.adapter = new CloudAdapter(auth);
    this.adapter.onTurnError = onTurnError;
    this.appId = settings.appId ?? '';
  }

  /**
   * Runs one webhook request through CloudAdapter (JWT check, turn, InvokeResponse) and returns what
   * it would have written. Every activity type goes through here, invokes included.
   */
  async process(request: WebhookRequest, logic: TurnLogic): Promise<WebhookResponse> {
    const { req, res, done } = bridge(request);
    // The shims match botbuilder's Request/Response shapes (checked by zod at runtime).
    await this.adapter.process(req as never, res as never, logic);
    return done();
  }

  private continue(reference: StoredReference, logic: TurnLogic): Promise<void> {
    return this.adapter.continueConversationAsync(this.appId, reference, logic);
  }

  async send(reference: StoredReference, activity: Partial<Activity>): Promise<string | undefined> {
    let id: string | undefined;
    await withConnectorRetry(() => this.continue(reference, async (context) => void (id = (await context.sendActivity(activity))?.id)), this.retry);
    return id;
  }

  async update(reference: StoredReference, activityId: string, activity: Partial<Activity>): Promise<void> {
    await withConnectorRetry(
      () => this.continue(reference, async (context) => void (await context.updateActivity({ ...activity, id: activityId }))),
      this.retry,
    );
  }
}
