import { MAX_WEBHOOK_BODY_BYTES } from '../hosting';
import type { BotHost, TurnLogic } from './adapter';

export interface WebhookInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface WebhookResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** The activity type, when the body was an activity (for metrics). */
  readonly activityType?: string;
}

export type CheckedRequest = { readonly ok: true; readonly activity: Record<string, unknown> } | { readonly ok: false; readonly result: WebhookResult };

function reject(status: number, reason: string, headers?: Record<string, string>): CheckedRequest {
  return { ok: false, result: { status, body: { error: reason }, ...(headers ? { headers } : {}) } };
}

/** The checks a request must pass before botbuilder sees it; every failure is a 4xx with a reason. */
export function checkWebhookRequest(input: WebhookInput, authEnabled: boolean): CheckedRequest {
  if (input.method.toUpperCase() !== 'POST') return reject(405, 'the bot webhook accepts POST only', { Allow: 'POST' });
  if (input.body.length > MAX_WEBHOOK_BODY_BYTES) return reject(413, `the body is larger than ${MAX_WEBHOOK_BODY_BYTES / 1024} KB`);
  // Without a token there is nothing to check: refuse before reading the body.
  if (authEnabled && !/^Bearer\s+\S+/i.test(input.headers.authorization ?? '')) return reject(401, 'a Bot Framework bearer token is required');
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
  return { ok: true, activity };
}

/**
 * The webhook: checks the request, then runs it through botbuilder (JWT validation, the turn,
 * InvokeResponse for invokes). Never throws: whatever happens, the caller gets a status.
 */
export async function handleWebhook(input: WebhookInput, host: BotHost, authEnabled: boolean, logic: TurnLogic): Promise<WebhookResult> {
  const checked = checkWebhookRequest(input, authEnabled);
  if (!checked.ok) return checked.result;
  const result = await host.process({ headers: input.headers, body: checked.activity }, logic);
  return { ...result, activityType: checked.activity.type as string };
}
