import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

import { HttpAgent, type HttpOptions, HttpsAgent } from 'agentkeepalive';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError, isCancel } from 'axios';

import type { HttpClientSettings } from '../config';
import { HttpNetworkError, HttpTimeoutError, type TimeoutKind } from './errors';

const CONNECT_TIMEOUT_CODE = 'ERR_GENIE_BOT_CONNECT_TIMEOUT';

/**
 * Destroys a socket whose TCP connect (and TLS handshake, for https) has not finished in time.
 * Node has no connect timeout of its own; the socket idle timeout would only fire at the read timeout.
 */
function armConnectTimeout(socket: Socket, timeoutMs: number, secure: boolean): void {
  const timer = setTimeout(() => {
    const error = Object.assign(new Error(`connect timeout after ${timeoutMs} ms`), { code: CONNECT_TIMEOUT_CODE });
    socket.destroy(error);
  }, timeoutMs);
  timer.unref();
  const clear = (): void => clearTimeout(timer);
  socket.once(secure ? 'secureConnect' : 'connect', clear);
  socket.once('close', clear);
}

type CreateConnection = (options: object, callback?: (err: Error | null, socket: Socket) => void) => Socket;

function withConnectTimeout<T extends object>(agent: T, timeoutMs: number, secure: boolean): T {
  const target = agent as unknown as { createConnection: CreateConnection };
  const original = target.createConnection.bind(agent);
  target.createConnection = (options, callback) => {
    const socket = original(options, callback);
    if (socket.connecting || secure) armConnectTimeout(socket, timeoutMs, secure);
    return socket;
  };
  return agent;
}

export interface HttpClientStats {
  readonly requests: number;
  readonly socketsCreated: number;
  readonly socketsReused: number;
  readonly socketsOpen: number;
  readonly socketsFree: number;
  readonly timeouts: Readonly<Record<TimeoutKind, number>>;
  readonly networkErrors: number;
}

/** Request options the shared client understands; `signal` cancels on the caller's behalf. */
export type HttpRequestConfig = Omit<AxiosRequestConfig, 'httpAgent' | 'httpsAgent' | 'timeout' | 'validateStatus'>;

/**
 * The one keep-alive HTTP client of a process: two agentkeepalive agents (pooled, bounded, idle
 * sockets closed well before Azure's 4-minute idle cut) and one axios instance. A timeout destroys
 * only the socket it happened on, so the client stays usable without being rebuilt.
 */
export class KeepAliveHttpClient {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  readonly axios: AxiosInstance;
  private requests = 0;
  private reused = 0;
  private networkErrors = 0;
  private readonly timeouts: Record<TimeoutKind, number> = { connect: 0, read: 0, total: 0 };

  constructor(readonly settings: HttpClientSettings) {
    const agentOptions: HttpOptions = {
      keepAlive: true,
      freeSocketTimeout: settings.freeSocketTimeoutMs,
      timeout: settings.readTimeoutMs,
      maxSockets: settings.maxSocketsPerHost,
      maxTotalSockets: settings.maxSockets,
      maxFreeSockets: settings.maxSocketsPerHost,
      scheduling: 'lifo',
    };
    this.httpAgent = withConnectTimeout(new HttpAgent(agentOptions), settings.connectTimeoutMs, false);
    this.httpsAgent = withConnectTimeout(new HttpsAgent(agentOptions), settings.connectTimeoutMs, true);
    this.axios = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // axios' timeout is a socket-inactivity timer (plus a wall clock until response headers): our read timeout.
      timeout: settings.readTimeoutMs,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
      maxRedirects: 0,
      proxy: false,
      maxContentLength: 64 * 1024 * 1024,
      validateStatus: () => true,
    });
  }

  /**
   * Sends a request and resolves with any HTTP status (callers decide what a status means).
   * Rejects only with {@link HttpTimeoutError} or {@link HttpNetworkError}, or the caller's own abort.
   */
  async request<T = unknown>(config: HttpRequestConfig): Promise<AxiosResponse<T>> {
    const method = (config.method ?? 'GET').toUpperCase();
    const path = pathOf(config.url);
    const totalTimer = AbortSignal.timeout(this.settings.totalTimeoutMs);
    const signal = config.signal ? AbortSignal.any([config.signal as AbortSignal, totalTimer]) : totalTimer;
    this.requests++;
    try {
      const response = await this.axios.request<T>({ ...config, signal });
      if ((response.request as ClientRequest | undefined)?.reusedSocket) this.reused++;
      return response;
    } catch (error: unknown) {
      const request = isAxiosError(error) ? (error.request as ClientRequest | undefined) : undefined;
      if (request?.reusedSocket) this.reused++;
      throw this.classify(error, method, path, totalTimer, Boolean(request?.reusedSocket));
    }
  }

  private classify(error: unknown, method: string, path: string, totalTimer: AbortSignal, reusedSocket: boolean): unknown {
    if (isCancel(error)) {
      if (!totalTimer.aborted) return error; // the caller cancelled
      return this.timeout('total', this.settings.totalTimeoutMs, method, path, error);
    }
    if (!isAxiosError(error)) return error;
    const cause = (error as { cause?: { code?: string } }).cause;
    const code = cause?.code ?? error.code ?? 'UNKNOWN';
    if (code === CONNECT_TIMEOUT_CODE) return this.timeout('connect', this.settings.connectTimeoutMs, method, path, error);
    if (error.code === 'ETIMEDOUT' && error.message.startsWith('timeout of')) {
      return this.timeout('read', this.settings.readTimeoutMs, method, path, error);
    }
    if (error.code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED' || error.code === 'ERR_BAD_RESPONSE') return error;
    this.networkErrors++;
    return new HttpNetworkError(code, method, path, reusedSocket, { cause: error });
  }

  private timeout(kind: TimeoutKind, ms: number, method: string, path: string, cause: unknown): HttpTimeoutError {
    this.timeouts[kind]++;
    return new HttpTimeoutError(kind, ms, method, path, { cause });
  }

  stats(): HttpClientStats {
    const agents = [this.httpAgent.getCurrentStatus(), this.httpsAgent.getCurrentStatus()];
    const count = (table: Record<string, number>): number => Object.values(table).reduce((a, b) => a + b, 0);
    return {
      requests: this.requests,
      socketsCreated: agents.reduce((n, a) => n + a.createSocketCount, 0),
      socketsReused: this.reused,
      socketsOpen: agents.reduce((n, a) => n + count(a.sockets) + count(a.freeSockets), 0),
      socketsFree: agents.reduce((n, a) => n + count(a.freeSockets), 0),
      timeouts: { ...this.timeouts },
      networkErrors: this.networkErrors,
    };
  }

  /** Closes every pooled socket (tests and orderly shutdown only). */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  try {
    return new URL(url, 'http://relative').pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
