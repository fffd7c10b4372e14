import type { IncomingMessage } from 'node:http';

import { ApiError } from './api-error';
import type { EndpointName } from './types';

/** Request bodies past this are refused with 400 (and drained, so the connection stays usable). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Replies at least this long are gzip-encoded when the client accepts it. */
export const GZIP_MIN_BYTES = 1024;

export type EndpointOrOther = EndpointName | 'other';

/** What a handler answers; server.ts puts it on the wire. */
export interface Reply {
  readonly status: number;
  /** JSON body; `text` wins when both are set. */
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Record<string, string>;
}

export const ok = (json: unknown): Reply => ({ status: 200, json });

export function errorReply(error: ApiError): Reply {
  return { status: error.status, headers: error.headers, json: { error_code: error.errorCode, message: error.message } };
}

/** An emulator-internal failure still answers in the Databricks shape instead of crashing the process. */
export function internalReply(error: unknown): Reply {
  return { status: 500, json: { error_code: 'INTERNAL_ERROR', message: `Genie emulator bug: ${error instanceof Error ? error.message : String(error)}` } };
}

/** True when Accept-Encoding lets us answer with gzip (an explicit q=0 forbids it; `*` allows it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  let wildcard: boolean | undefined;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [rawName = '', ...params] = part.split(';');
    const name = rawName.trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const allowed = (q === undefined ? 1 : Number(q.slice(2))) > 0;
    if (name === 'gzip' || name === 'x-gzip') return allowed;
    if (name === '*') wildcard = allowed;
  }
  return wildcard ?? false;
}

/** The whole body, or undefined when it is larger than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true; // keep draining so the connection stays usable
    else chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** The JSON object of a request body; an empty body is `{}`. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'Invalid JSON given in the body of the request - expected a map', 'MALFORMED_REQUEST');
  }
  return value as Record<string, unknown>;
}
