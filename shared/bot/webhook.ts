import type { Activity } from 'botbuilder';

import { MAX_WEBHOOK_BODY_BYTES } from '../hosting';
import { type GateDecision, isLoopbackServiceUrl, REFUSAL_CODES, type RefusalReason } from '../policy';
import type { BotHost, TurnLogic, TurnRouter } from './adapter';

export interface WebhookInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, or how to read it: read only once the headers passed (no token, no read). */
  readonly body: Buffer | (() => Promise<Buffer>);
}

export interface WebhookResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The activity type, when the body was an activity (for metrics). */
  readonly activityType?: string;
}

/** Seconds a channel is asked to wait before redelivering when the bot's storage could not be reached. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Thrown by a turn that could not record what it was given (storage unreachable) and left nothing
 * claimed: the webhook answers 503 with Retry-After so Bot Service redelivers the activity.
 */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(options?: { cause?: unknown }) {
    super('the bot could not record the activity; deliver it again later', options);
  }
}

function retryLater(): WebhookResult {
  return {
    status: 503,
    body: { error: 'storage is unavailable; deliver the activity again' },
    headers: { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) },
  };
}

type Rejected = { readonly ok: false; readonly result: WebhookResult; readonly refusal?: RefusalReason };
export type CheckedRequest = { readonly ok: true; readonly activity: Record<string, unknown> } | Rejected;

/** The policy gate as the webhook uses it, and who hears about each refusal (metrics, logs). */
export interface WebhookPolicy {
  check(activity: Activity): Promise<GateDecision>;
  onRefused(reason: RefusalReason, activity: Partial<Activity>, error?: Error): void;
}

function reject(status: number, reason: string, headers?: Record<string, string>): Rejected {
  return { ok: false, result: { status, body: { error: reason }, ...(headers ? { headers } : {}) } };
}

/** What is checked before the body is read: method and, when tokens are checked, that there is one. */
function checkHeaders(input: Pick<WebhookInput, 'method' | 'headers'>, authEnabled: boolean): Rejected | undefined {
  if (input.method.toUpperCase() !== 'POST') return reject(405, 'the bot webhook accepts POST only', { Allow: 'POST' });
  if (authEnabled && !/^Bearer\s+\S+/i.test(input.headers.authorization ?? ''))
    return reject(401, 'a Bot Framework bearer token is required');
  return undefined;
}

/** The checks a request must pass before botbuilder sees it; every failure is a 4xx with a reason. */
export function checkWebhookRequest(input: WebhookInput & { readonly body: Buffer }, authEnabled: boolean): CheckedRequest {
  const refused = checkHeaders(input, authEnabled);
  if (refused) return refused;
  if (input.body.length > MAX_WEBHOOK_BODY_BYTES) return reject(413, `the body is larger than ${MAX_WEBHOOK_BODY_BYTES / 1024} KB`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.body.toString('utf8'));
  } catch {
    return reject(400, 'the body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return reject(400, 'the body is not a Bot Framework activity (expected a JSON object)');
  }
  const activity = parsed as Record<string, unknown>;
  if (typeof activity.type !== 'string' || !activity.type.trim()) return reject(400, 'the activity has no type');
  const conversation = activity.conversation as { id?: unknown } | undefined;
  if (typeof conversation?.id !== 'string' || !conversation.id) return reject(400, 'the activity has no conversation.id');
  if (typeof activity.serviceUrl !== 'string' || !/^https?:\/\//i.test(activity.serviceUrl)) {
    return reject(400, 'the activity has no serviceUrl to reply to');
  }
  // Without an app id nothing proves who sent this: only replies that stay on this machine.
  if (!authEnabled && !isLoopbackServiceUrl(activity.serviceUrl))
    return { ...reject(403, REFUSAL_CODES.service_url), refusal: 'service_url' };
  return { ok: true, activity };
}

/**
 * After authentication: a turn for what the gate lets through, a reply or a 403 for the rest, and a
 * 503 when the per-person rate could not be read (storage down: the redelivery is checked again).
 */
function routeThrough(policy: WebhookPolicy | undefined, logic: TurnLogic): TurnRouter {
  return async (activity) => {
    if (!policy) return logic;
    const decision = await policy.check(activity);
    if (decision.allowed) return logic;
    policy.onRefused(decision.reason, activity, decision.error);
    if (decision.reason === 'rate_check_failed') return retryLater();
    const reply = decision.reply;
    if (reply !== undefined && activity.type === 'message') return async (context) => void (await context.sendActivity(reply));
    return { status: 403, body: { error: REFUSAL_CODES[decision.reason] } };
  };
}

/**
 * The webhook: checks the request, then runs it through botbuilder (JWT validation), the policy
 * gate, and the turn (InvokeResponse for invokes). Never throws: whatever happens, the caller gets
 * a status.
 */
export async function handleWebhook(
  input: WebhookInput,
  host: BotHost,
  authEnabled: boolean,
  logic: TurnLogic,
  policy?: WebhookPolicy,
): Promise<WebhookResult> {
  const early = checkHeaders(input, authEnabled);
  if (early) return early.result;
  const body = typeof input.body === 'function' ? await input.body() : input.body;
  const checked = checkWebhookRequest({ ...input, body }, authEnabled);
  if (!checked.ok) {
    if (checked.refusal) policy?.onRefused(checked.refusal, {});
    return checked.result;
  }
  let deferred = false;
  const turn: TurnLogic = async (context) => {
    try {
      await logic(context);
    } catch (error: unknown) {
      if (!(error instanceof RetryLaterError)) throw error;
      deferred = true;
    }
  };
  const result = await host.process({ headers: input.headers, body: checked.activity }, routeThrough(policy, turn));
  return { ...(deferred ? retryLater() : result), activityType: checked.activity.type as string };
}
