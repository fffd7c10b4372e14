import { type HttpNetworkError, HttpTimeoutError } from '../http';
import type { MessageKey } from '../i18n';
import { DEFAULT_RETRY_POLICY } from './retry';

export type GenieEndpoint =
  | 'start-conversation'
  | 'create-message'
  | 'get-message'
  | 'query-result'
  | 'execute-query'
  | 'generate-download'
  | 'get-download'
  | 'feedback'
  | 'delete-conversation'
  | 'get-space'
  | 'token';

/**
 * Why a question failed, in a handful of values: for metrics (low cardinality) and for choosing
 * the user's message. Never user text.
 */
export type FailureReason =
  | 'genie_failed'
  | 'rate_limited'
  | 'timeout'
  | 'permission'
  | 'ip_blocked'
  | 'warehouse'
  | 'not_found'
  | 'auth'
  | 'sign_in'
  | 'uncertain'
  | 'cancelled'
  | 'network'
  | 'internal';

/** Any failure of the Genie client carries a reason and whether trying again later may help. */
export abstract class GenieError extends Error {
  abstract readonly reason: FailureReason;
  abstract readonly retryable: boolean;
}

/** Databricks answered with an HTTP error: status, `error_code` and message from its error body. */
export class GenieHttpError extends GenieError {
  override readonly name = 'GenieHttpError';
  readonly reason: FailureReason;
  readonly retryable: boolean;
  constructor(
    readonly endpoint: GenieEndpoint,
    readonly method: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    /** Databricks' own message; may name resources or IPs, so it goes to operators, never to users. */
    readonly detail: string | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(`Genie ${endpoint} answered ${status}${errorCode ? ` ${errorCode}` : ''}${detail ? `: ${detail.slice(0, 300)}` : ''}`);
    this.retryable = DEFAULT_RETRY_POLICY.retryStatuses.includes(status);
    this.reason = httpReason(status, errorCode, detail);
  }
}

function httpReason(status: number, errorCode: string | undefined, detail: string | undefined): FailureReason {
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'auth';
  if (status === 403) return /ip access list|ip acl|source ip/i.test(detail ?? '') ? 'ip_blocked' : 'permission';
  if (status === 404) return 'not_found';
  if (/WAREHOUSE/i.test(errorCode ?? '') || /warehouse/i.test(detail ?? '')) return 'warehouse';
  if (status === 408 || status === 504) return 'timeout';
  return 'internal';
}

/** Genie finished the message as FAILED; `type` is Genie's `error.type` (e.g. SQL_EXECUTION_EXCEPTION). */
export class GenieAnswerError extends GenieError {
  override readonly name = 'GenieAnswerError';
  readonly reason: FailureReason;
  readonly retryable: boolean;
  constructor(
    readonly type: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(`Genie failed the question${type ? ` (${type})` : ''}${detail ? `: ${detail.slice(0, 300)}` : ''}`);
    this.reason = answerReason(type);
    this.retryable =
      this.reason === 'rate_limited' || type === 'RETRYABLE_PROCESSING_EXCEPTION' || type === 'REPLY_PROCESS_TIMEOUT_EXCEPTION';
  }
}

function answerReason(type: string | undefined): FailureReason {
  if (!type) return 'genie_failed';
  if (type.startsWith('RATE_LIMIT_EXCEEDED')) return 'rate_limited';
  if (type.startsWith('WAREHOUSE_')) return 'warehouse';
  if (type === 'REPLY_PROCESS_TIMEOUT_EXCEPTION') return 'timeout';
  if (type === 'TABLES_MISSING_EXCEPTION' || type === 'NO_TABLES_TO_QUERY_EXCEPTION') return 'permission';
  return 'genie_failed';
}

/** Genie cancelled the message (someone stopped it, or Genie gave up). */
export class GenieCancelledError extends GenieError {
  override readonly name = 'GenieCancelledError';
  readonly reason = 'cancelled';
  readonly retryable = true;
  constructor() {
    super('Genie cancelled the question');
  }
}

/** Genie could not prepare a full-result download (its statement ended FAILED, CANCELED or CLOSED, or gave no usable link). */
export class GenieDownloadError extends GenieError {
  override readonly name = 'GenieDownloadError';
  readonly reason = 'genie_failed';
  readonly retryable = true;
  constructor(
    /** The statement's final state, or MALFORMED when it succeeded without a usable link. */
    readonly state: string,
    /** Databricks' error code; its message is left out (it may name tables). */
    readonly errorCode?: string,
  ) {
    super(`Genie could not prepare the download (${state}${errorCode ? ` ${errorCode}` : ''})`);
  }
}

/** Our own wait budget ran out before Genie finished. */
export class GenieWaitTimeoutError extends GenieError {
  override readonly name = 'GenieWaitTimeoutError';
  readonly reason = 'timeout';
  readonly retryable = true;
  constructor(
    readonly waitedMs: number,
    readonly lastStatus: string | undefined,
  ) {
    super(`Genie did not finish within ${Math.round(waitedMs / 1000)} s (last status ${lastStatus ?? 'unknown'})`);
  }
}

/**
 * A request that changes state (a question POST) got no answer, so it may or may not have been
 * accepted. It is not retried: a second start-conversation could open a second conversation and
 * count twice against the 5-questions-per-minute limit.
 */
export class GenieUncertainError extends GenieError {
  override readonly name = 'GenieUncertainError';
  readonly reason = 'uncertain';
  readonly retryable = false;
  constructor(
    readonly endpoint: GenieEndpoint,
    options: ErrorOptions,
  ) {
    super(`Genie ${endpoint} got no answer; the question may or may not have been accepted`, options);
  }
}

/** A transport failure of an idempotent call, after retries. */
export class GenieNetworkError extends GenieError {
  override readonly name = 'GenieNetworkError';
  readonly reason: FailureReason;
  readonly retryable = true;
  constructor(
    readonly endpoint: GenieEndpoint,
    cause: HttpNetworkError | HttpTimeoutError,
  ) {
    super(`Genie ${endpoint}: ${cause.message}`, { cause });
    this.reason = cause instanceof HttpTimeoutError ? 'timeout' : 'network';
  }
}

/** Getting a Databricks token failed (bad client secret, identity not assigned, token endpoint down). */
export class GenieAuthError extends GenieError {
  override readonly name = 'GenieAuthError';
  readonly reason = 'auth';
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** GENIE_IDENTITY=user: the token service holds no token for the asker (never signed in, signed out, revoked). */
export class GenieSignInRequiredError extends GenieError {
  override readonly name = 'GenieSignInRequiredError';
  readonly reason = 'sign_in';
  readonly retryable = false;
  constructor() {
    super('the asker has no token at the token service: sign-in required');
  }
}

/** The failure reason of anything thrown while asking Genie. */
export function failureReasonOf(error: unknown): FailureReason {
  return error instanceof GenieError ? error.reason : 'internal';
}

/**
 * The catalog key of plain words for the person who asked, with one suggestion of what to try.
 * Never the raw error message: that may hold internal names, addresses or the question itself.
 */
export function userMessageKey(error: unknown): MessageKey {
  switch (failureReasonOf(error)) {
    case 'genie_failed':
      return genieFailedKey(error instanceof GenieAnswerError ? error.type : undefined);
    case 'rate_limited':
      return 'error.rateLimited';
    case 'timeout':
      return 'error.timeout';
    case 'permission':
      return 'error.permission';
    case 'ip_blocked':
      return 'error.ipBlocked';
    case 'warehouse':
      return 'error.warehouse';
    case 'not_found':
      return 'error.notFound';
    case 'auth':
      return 'error.auth';
    case 'sign_in':
      return 'signIn.expired';
    case 'uncertain':
      return 'error.uncertain';
    case 'cancelled':
      return 'error.cancelled';
    case 'network':
      return 'error.network';
    case 'internal':
      return 'error.internal';
  }
}

function genieFailedKey(type: string | undefined): MessageKey {
  if (type === 'SQL_EXECUTION_EXCEPTION') return 'error.sqlFailed';
  if (type === 'CONTENT_FILTER_EXCEPTION') return 'error.contentFilter';
  return 'error.genieFailed';
}
