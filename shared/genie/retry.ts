import { HttpNetworkError, HttpTimeoutError } from '../http';
import type { Random } from '../runtime';

/** How the Genie client retries one call. Data, so the defaults are documented and testable. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  readonly limit: number;
  /** Statuses retried for idempotent calls (GET, DELETE). @default [408, 429, 500, 502, 503, 504] */
  readonly retryStatuses: readonly number[];
  /**
   * Statuses retried for POSTs: only answers that say the request was not processed.
   * @default [429, 503]
   */
  readonly postRetryStatuses: readonly number[];
  /** First backoff; doubles each retry. @default 500 */
  readonly baseDelayMs: number;
  /** @default 10000 */
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails as rate limited. @default 60000 */
  readonly maxRetryAfterMs: number;
  /** Total time one call may spend waiting between attempts. @default 90000 */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  limit: 4,
  retryStatuses: [408, 429, 500, 502, 503, 504],
  postRetryStatuses: [429, 503],
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  budgetMs: 90_000,
});

/**
 * The bot's policy: a question POST refused with 429 is not retried by the client but handed back
 * to the pacer (a new slot for that question, a slower pace for every instance), so a refused
 * question neither jumps the queue nor spends the workspace's limit again at once.
 */
export const PACED_RETRY_POLICY: RetryPolicy = Object.freeze({ ...DEFAULT_RETRY_POLICY, postRetryStatuses: [503] });

/** Retry-After as milliseconds: integer seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before retry number `retry` (1-based): the server's Retry-After when it gave one (plus
 * up to 250 ms so many waiting callers do not return in the same instant), else exponential
 * backoff with equal jitter. Shared by the Genie client and the bot's connector sends.
 */
export function retryDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: Random,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.floor(random() * 250);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Transport failures after which the request certainly never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Whether a transport failure may be retried. Idempotent calls: always. POSTs only when the request
 * provably was not processed: the connection never opened, or a pooled socket was reset (the
 * server had closed it while idle — the case Node documents as safe to retry).
 */
export function isRetryableTransportError(error: unknown, idempotent: boolean): boolean {
  if (error instanceof HttpTimeoutError) return idempotent || error.kind === 'connect';
  if (error instanceof HttpNetworkError) {
    if (idempotent) return true;
    return NOT_SENT_CODES.has(error.code) || (error.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE'));
  }
  return false;
}
