import type { IncomingMessage } from 'node:http';

import { ApiError } from './api-error';
import type { EndpointName } from './types';

/** Request bodies past this are refused with 400 (and drained, so the connection stays usable). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Replies are gzip-encoded like the app's own: the same threshold and Accept-Encoding rules. */
export { acceptsGzip, GZIP_MIN_BYTES } from '../../shared/hosting';

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
  return {
    status: 500,
    json: { error_code: 'INTERNAL_ERROR', message: `Genie emulator bug: ${error instanceof Error ? error.message : String(error)}` },
  };
}

/** The whole body, or undefined when it is larger than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      tooLarge = true; // keep draining so the connection stays usable
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
