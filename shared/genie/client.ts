import type { AxiosResponse } from 'axios';

import { HttpNetworkError, HttpTimeoutError, type KeepAliveHttpClient } from '../http';
import { type Clock, type Random, systemClock } from '../runtime';
import type { DatabricksTokenSource } from './auth';
import type { DownloadTicket } from './downloads';
import { type GenieEndpoint, GenieHttpError, GenieNetworkError, GenieUncertainError } from './errors';
import { DEFAULT_RETRY_POLICY, isRetryableTransportError, parseRetryAfter, retryDelay, type RetryPolicy } from './retry';
import type {
  FeedbackRating,
  GenerateDownloadResponse,
  GenieMessage,
  GenieMessageRef,
  GenieSpace,
  StartConversationResponse,
  StatementResponse,
} from './types';

/** Outcome classes of one HTTP attempt, for metrics (low cardinality). */
export type CallOutcome = '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'network';

export interface GenieCallEvent {
  readonly endpoint: GenieEndpoint;
  readonly method: string;
  readonly outcome: CallOutcome;
  readonly status?: number;
  readonly durationMs: number;
}

export interface GenieRetryEvent {
  readonly endpoint: GenieEndpoint;
  /** e.g. `status_429`, `network`, `timeout`. */
  readonly reason: string;
  readonly delayMs: number;
}

/** Sees every attempt and every retry: how telemetry counts and times Genie calls. */
export interface GenieCallObserver {
  onCall?(event: GenieCallEvent): void;
  onRetry?(event: GenieRetryEvent): void;
}

export interface GenieClientOptions {
  /** Workspace origin, e.g. https://adb-1.azuredatabricks.net */
  readonly host: string;
  readonly spaceId: string;
  readonly http: KeepAliveHttpClient;
  readonly tokens: DatabricksTokenSource;
  readonly retry?: RetryPolicy;
  readonly observer?: GenieCallObserver;
  readonly clock?: Clock;
  readonly random?: Random;
}

interface CallSpec {
  readonly endpoint: GenieEndpoint;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** A POST that is safe to repeat (rating, re-running a query): retried like a GET. */
  readonly repeatable?: boolean;
}

const API = '/api/2.0/genie';

function outcomeOf(status: number): CallOutcome {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

function errorBody(data: unknown): { errorCode?: string; message?: string } {
  if (data && typeof data === 'object') {
    const body = data as { error_code?: unknown; message?: unknown };
    return {
      ...(typeof body.error_code === 'string' ? { errorCode: body.error_code } : {}),
      ...(typeof body.message === 'string' ? { message: body.message } : {}),
    };
  }
  return typeof data === 'string' && data ? { message: data.slice(0, 300) } : {};
}

function segment(id: string): string {
  return encodeURIComponent(id);
}

/**
 * Typed calls of the Genie Conversation API over the shared keep-alive client. Knows nothing of
 * Teams. Retries by {@link RetryPolicy}; never repeats a question POST that may have been accepted.
 */
export class GenieClient {
  readonly spaceId: string;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: Random;

  constructor(private readonly options: GenieClientOptions) {
    this.spaceId = options.spaceId;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** The same client asking with other credentials: the asker's own for one question (GENIE_IDENTITY=user). */
  withTokens(tokens: DatabricksTokenSource): GenieClient {
    return new GenieClient({ ...this.options, tokens });
  }

  /** The same client asking another space (one deployment may offer several: GENIE_SPACES). */
  inSpace(spaceId: string): GenieClient {
    return spaceId === this.spaceId ? this : new GenieClient({ ...this.options, spaceId });
  }

  async startConversation(content: string): Promise<{ ref: GenieMessageRef; message?: GenieMessage }> {
    const data = await this.call<StartConversationResponse>({
      endpoint: 'start-conversation',
      method: 'POST',
      path: `/spaces/${segment(this.spaceId)}/start-conversation`,
      body: { content },
    });
    const conversationId =
      data.conversation_id ?? data.conversation?.conversation_id ?? data.conversation?.id ?? data.message?.conversation_id;
    const messageId = data.message_id ?? data.message?.message_id ?? data.message?.id;
    if (!conversationId || !messageId) throw this.malformed('start-conversation', 'no conversation_id or message_id');
    return { ref: { spaceId: this.spaceId, conversationId, messageId }, ...(data.message ? { message: data.message } : {}) };
  }

  async createMessage(conversationId: string, content: string): Promise<{ ref: GenieMessageRef; message: GenieMessage }> {
    const message = await this.call<GenieMessage>({
      endpoint: 'create-message',
      method: 'POST',
      path: `/spaces/${segment(this.spaceId)}/conversations/${segment(conversationId)}/messages`,
      body: { content },
    });
    const messageId = message.message_id ?? message.id;
    if (!messageId) throw this.malformed('create-message', 'no message_id');
    return { ref: { spaceId: this.spaceId, conversationId, messageId }, message };
  }

  getMessage(ref: GenieMessageRef): Promise<GenieMessage> {
    return this.call<GenieMessage>({ endpoint: 'get-message', method: 'GET', path: this.messagePath(ref) });
  }

  async getQueryResult(ref: GenieMessageRef, attachmentId: string): Promise<StatementResponse> {
    const data = await this.call<{ statement_response?: StatementResponse }>({
      endpoint: 'query-result',
      method: 'GET',
      path: `${this.messagePath(ref)}/attachments/${segment(attachmentId)}/query-result`,
    });
    return data.statement_response ?? {};
  }

  /** Re-runs the SQL of an attachment whose result expired. A POST, but it asks nothing new. */
  async executeQuery(ref: GenieMessageRef, attachmentId: string): Promise<StatementResponse> {
    const data = await this.call<{ statement_response?: StatementResponse }>({
      endpoint: 'execute-query',
      method: 'POST',
      repeatable: true,
      path: `${this.messagePath(ref)}/attachments/${segment(attachmentId)}/execute-query`,
      body: {},
    });
    return data.statement_response ?? {};
  }

  /**
   * Starts a download of the attachment's whole result (beyond what query-result returns). A POST,
   * but it asks nothing new: repeating it at worst prepares a second file.
   */
  async generateDownload(ref: GenieMessageRef, attachmentId: string): Promise<DownloadTicket> {
    const data = await this.call<GenerateDownloadResponse>({
      endpoint: 'generate-download',
      method: 'POST',
      repeatable: true,
      path: `${this.messagePath(ref)}/attachments/${segment(attachmentId)}/downloads`,
      body: {},
    });
    if (!data.download_id || !data.download_id_signature) throw this.malformed('generate-download', 'no download_id or signature');
    return { downloadId: data.download_id, signature: data.download_id_signature };
  }

  /** One look at a download: a statement response, PENDING or RUNNING until SUCCEEDED with `result.external_links`. */
  async getDownload(ref: GenieMessageRef, attachmentId: string, ticket: DownloadTicket): Promise<StatementResponse> {
    const data = await this.call<{ statement_response?: StatementResponse }>({
      endpoint: 'get-download',
      method: 'GET',
      path:
        `${this.messagePath(ref)}/attachments/${segment(attachmentId)}/downloads/${segment(ticket.downloadId)}` +
        `?download_id_signature=${encodeURIComponent(ticket.signature)}`,
    });
    return data.statement_response ?? {};
  }

  async sendFeedback(ref: GenieMessageRef, rating: FeedbackRating, comment?: string): Promise<void> {
    await this.call({
      endpoint: 'feedback',
      method: 'POST',
      repeatable: true,
      path: `${this.messagePath(ref)}/feedback`,
      body: comment ? { rating, comment } : { rating },
    });
  }

  async deleteConversation(conversationId: string, spaceId: string = this.spaceId): Promise<void> {
    await this.call({
      endpoint: 'delete-conversation',
      method: 'DELETE',
      path: `/spaces/${segment(spaceId)}/conversations/${segment(conversationId)}`,
    });
  }

  /** The space itself (title, description): a cheap check that the host, the credentials and the permission all work. */
  getSpace(): Promise<GenieSpace> {
    return this.call<GenieSpace>({ endpoint: 'get-space', method: 'GET', path: `/spaces/${segment(this.spaceId)}` });
  }

  private messagePath(ref: GenieMessageRef): string {
    return `/spaces/${segment(ref.spaceId)}/conversations/${segment(ref.conversationId)}/messages/${segment(ref.messageId)}`;
  }

  private malformed(endpoint: GenieEndpoint, what: string): GenieHttpError {
    return new GenieHttpError(endpoint, 'POST', 200, 'MALFORMED_RESPONSE', what);
  }

  /** One logical call: attempts, retries by policy, a fresh token after a 401, typed errors. */
  private async call<T>(spec: CallSpec): Promise<T> {
    const idempotent = spec.method !== 'POST' || spec.repeatable === true;
    let retries = 0;
    let waitedMs = 0;
    let refreshedToken = false;
    for (;;) {
      const started = this.clock.now();
      let response: AxiosResponse<unknown>;
      try {
        response = await this.options.http.request({
          method: spec.method,
          url: `${this.options.host}${API}${spec.path}`,
          headers: { Authorization: `Bearer ${await this.options.tokens.getToken()}`, Accept: 'application/json' },
          ...(spec.body !== undefined ? { data: spec.body } : {}),
        });
      } catch (error: unknown) {
        if (!(error instanceof HttpNetworkError || error instanceof HttpTimeoutError)) throw error;
        const outcome: CallOutcome = error instanceof HttpTimeoutError ? 'timeout' : 'network';
        this.options.observer?.onCall?.({ endpoint: spec.endpoint, method: spec.method, outcome, durationMs: this.clock.now() - started });
        if (!isRetryableTransportError(error, idempotent)) {
          throw idempotent ? new GenieNetworkError(spec.endpoint, error) : new GenieUncertainError(spec.endpoint, { cause: error });
        }
        const delay = retryDelay(retries + 1, this.retry, this.random);
        if (retries >= this.retry.limit || waitedMs + delay > this.retry.budgetMs) throw new GenieNetworkError(spec.endpoint, error);
        retries++;
        waitedMs += delay;
        this.options.observer?.onRetry?.({ endpoint: spec.endpoint, reason: outcome, delayMs: delay });
        await this.clock.sleep(delay);
        continue;
      }

      const { status } = response;
      this.options.observer?.onCall?.({
        endpoint: spec.endpoint,
        method: spec.method,
        outcome: outcomeOf(status),
        status,
        durationMs: this.clock.now() - started,
      });
      if (status >= 200 && status < 300) return (response.data ?? {}) as T;

      if (status === 401 && !refreshedToken) {
        // An expired or revoked token: fetch a new one once, then let a second 401 stand.
        refreshedToken = true;
        this.options.tokens.invalidate();
        continue;
      }
      const body = errorBody(response.data);
      const retryAfterHeader = response.headers['retry-after'] as string | undefined;
      const retryAfterMs = parseRetryAfter(retryAfterHeader, this.clock.now());
      const error = new GenieHttpError(spec.endpoint, spec.method, status, body.errorCode, body.message, retryAfterMs);
      // A gateway that timed out or failed after forwarding a POST leaves its fate unknown.
      if (!idempotent && (status === 502 || status === 504)) throw new GenieUncertainError(spec.endpoint, { cause: error });
      const retryable = (idempotent ? this.retry.retryStatuses : this.retry.postRetryStatuses).includes(status);
      if (!retryable || retries >= this.retry.limit) throw error;
      // 429 without Retry-After: Databricks SDKs wait 1 s; our backoff starts there too.
      const delay = retryDelay(retries + 1, this.retry, this.random, retryAfterMs);
      if ((retryAfterMs ?? 0) > this.retry.maxRetryAfterMs || waitedMs + delay > this.retry.budgetMs) throw error;
      retries++;
      waitedMs += delay;
      this.options.observer?.onRetry?.({ endpoint: spec.endpoint, reason: `status_${status}`, delayMs: delay });
      await this.clock.sleep(delay);
    }
  }
}
