import {
  app,
  type HttpHandler,
  type HttpMethod,
  type StorageQueueHandler,
  type TimerHandler,
} from '@azure/functions';

export { acceptsGzip, encodedResponse, errorResponse, GZIP_MIN_BYTES, jsonResponse } from './respond';

/**
 * What each function file exports besides registering itself: the facts the dev host and tests
 * need to serve it exactly as the Functions host would.
 */
export interface HttpFunctionDefinition {
  readonly kind: 'http';
  readonly name: string;
  /** Served at `/api/<route>`. */
  readonly route: string;
  readonly methods: readonly HttpMethod[];
  readonly authLevel: 'anonymous' | 'function';
  readonly handler: HttpHandler;
}

export interface QueueFunctionDefinition {
  readonly kind: 'queue';
  readonly name: string;
  readonly queueName: string;
  /** Name of the setting prefix holding the storage connection. */
  readonly connection: string;
  readonly handler: StorageQueueHandler;
}

export interface TimerFunctionDefinition {
  readonly kind: 'timer';
  readonly name: string;
  /** NCRONTAB with seconds, as the Functions timer trigger expects. */
  readonly schedule: string;
  readonly handler: TimerHandler;
}

export type FunctionDefinition = HttpFunctionDefinition | QueueFunctionDefinition | TimerFunctionDefinition;

export function registerHttp(definition: Omit<HttpFunctionDefinition, 'kind'>): HttpFunctionDefinition {
  const { name, route, methods, authLevel, handler } = definition;
  app.http(name, { route, methods: [...methods], authLevel, handler });
  return { kind: 'http', ...definition };
}

export function registerQueue(definition: Omit<QueueFunctionDefinition, 'kind'>): QueueFunctionDefinition {
  const { name, queueName, connection, handler } = definition;
  app.storageQueue(name, { queueName, connection, handler });
  return { kind: 'queue', ...definition };
}

export function registerTimer(definition: Omit<TimerFunctionDefinition, 'kind'>): TimerFunctionDefinition {
  const { name, schedule, handler } = definition;
  app.timer(name, { schedule, handler });
  return { kind: 'timer', ...definition };
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof value === 'object' && value !== null && (kind === 'http' || kind === 'queue' || kind === 'timer') && 'handler' in value;
}
