import { type HttpNetworkError, HttpTimeoutError } from '../http';
import { DEFAULT_RETRY_POLICY } from './retry';

export type GenieEndpoint =
  | 'start-conversation'
  | 'create-message'
  | 'get-message'
  | 'query-result'
  | 'execute-query'
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
    this.retryable = this.reason === 'rate_limited' || type === 'RETRYABLE_PROCESSING_EXCEPTION' || type === 'REPLY_PROCESS_TIMEOUT_EXCEPTION';
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

/** The failure reason of anything thrown while asking Genie. */
export function failureReasonOf(error: unknown): FailureReason {
  return error instanceof GenieError ? error.reason : 'internal';
}

/**
 * Plain words for the person who asked, with one suggestion of what to try. Never the raw
 * error message: that may hold internal names, addresses or the question itself.
 */
export function userMessageFor(error: unknown): string {
  switch (failureReasonOf(error)) {
    case 'genie_failed':
      return genieFailedMessage(error instanceof GenieAnswerError ? error.type : undefined);
    case 'rate_limited':
      return 'Genie is getting more questions than it can take right now. Please wait a minute and ask again.';
    case 'timeout':
      return 'Genie took too long to answer this one. Try asking again, or ask a narrower question.';
    case 'permission':
      return "I'm not allowed to read the data this question needs. Ask the people who run this bot to check its access to the Genie space and its tables.";
    case 'ip_blocked':
      return "Databricks refused the connection because of its IP access list. Ask the people who run this bot to allow the bot's outbound addresses.";
    case 'warehouse':
      return "The SQL warehouse behind Genie isn't available right now. Try again in a few minutes; if it keeps happening, ask the people who run this bot to check the warehouse.";
    case 'not_found':
      return "I couldn't find the Genie space or conversation. Type **new** to start a fresh conversation; if that fails too, ask the people who run this bot to check its settings.";
    case 'auth':
      return "I couldn't sign in to Databricks. Ask the people who run this bot to check its Databricks credentials.";
    case 'uncertain':
      return "I couldn't confirm that Genie received your question, so I didn't send it twice. Please ask it again.";
    case 'cancelled':
      return 'Genie stopped working on this question. Please ask it again.';
    case 'network':
      return "I couldn't reach Databricks just now. Please try again in a minute.";
    case 'internal':
      return 'Something went wrong on my side while getting your answer. Please try again; if it keeps happening, let the people who run this bot know.';
  }
}

function genieFailedMessage(type: string | undefined): string {
  if (type === 'SQL_EXECUTION_EXCEPTION') {
    return "Genie wrote a query for this but it didn't run. Try rephrasing the question, or ask for something more specific.";
  }
  if (type === 'CONTENT_FILTER_EXCEPTION') return "Genie can't answer that question. Try asking it differently.";
  return "Genie couldn't answer that question. Try rephrasing it, or ask for something more specific.";
}
