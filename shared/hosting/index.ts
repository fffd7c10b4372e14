import {
  app,
  type HttpHandler,
  type HttpMethod,
  type InvocationContext,
  type StorageQueueHandler,
  type TimerHandler,
} from '@azure/functions';

import { noteInvocation, runInInvocation } from '../runtime';

/** Largest bot webhook body taken: Teams activities are a few KB; 256 KB bounds memory per request. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

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

/**
 * Every handler notes its invocation first, so the first one of a process knows it paid the cold
 * start, and runs with the invocation's context as the app's log: lines written through
 * `context.log` carry the invocation id and the host's trace, so the portal shows them with the request.
 */
function noted<A, C extends InvocationContext, R>(handler: (input: A, context: C) => R): (input: A, context: C) => R {
  return (input, context) => {
    noteInvocation(context.invocationId);
    return runInInvocation(context, () => handler(input, context));
  };
}

export function registerHttp(definition: Omit<HttpFunctionDefinition, 'kind'>): HttpFunctionDefinition {
  const handler = noted(definition.handler);
  app.http(definition.name, { route: definition.route, methods: [...definition.methods], authLevel: definition.authLevel, handler });
  return { kind: 'http', ...definition, handler };
}

export function registerQueue(definition: Omit<QueueFunctionDefinition, 'kind'>): QueueFunctionDefinition {
  const handler = noted(definition.handler);
  app.storageQueue(definition.name, { queueName: definition.queueName, connection: definition.connection, handler });
  return { kind: 'queue', ...definition, handler };
}

export function registerTimer(definition: Omit<TimerFunctionDefinition, 'kind'>): TimerFunctionDefinition {
  const handler = noted(definition.handler);
  app.timer(definition.name, { schedule: definition.schedule, handler });
  return { kind: 'timer', ...definition, handler };
}

export function isFunctionDefinition(value: unknown): value is FunctionDefinition {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return typeof value === 'object' && value !== null && (kind === 'http' || kind === 'queue' || kind === 'timer') && 'handler' in value;
}
