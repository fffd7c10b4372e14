import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

import type { HttpRequest, HttpResponseInit } from '@azure/functions';

const gzipAsync = promisify(gzip);

/** Bodies smaller than this go out as they are: gzip's header and CPU cost more than they save. */
export const GZIP_MIN_BYTES = 1024;

/** True when `Accept-Encoding` allows gzip (explicitly or through `*`), honouring `q=0`. */
export function acceptsGzip(acceptEncoding: string | null | undefined): boolean {
  if (!acceptEncoding) return false;
  let star: boolean | undefined;
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return allowed;
    if (coding === '*') star = allowed;
  }
  return star ?? false;
}

/**
 * Shapes a response body, gzip-encoded when it is at least {@link GZIP_MIN_BYTES} and the client
 * accepts gzip. Compressing here (not in the host) makes it true under the dev host, `func start`
 * and Azure alike: a host that sees Content-Encoding set passes the bytes through.
 */
export async function encodedResponse(
  request: Pick<HttpRequest, 'headers'>,
  status: number,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const base = { ...headers, 'Content-Type': contentType, Vary: 'Accept-Encoding' };
  if (raw.length >= GZIP_MIN_BYTES && acceptsGzip(request.headers.get('accept-encoding'))) {
    const compressed = await gzipAsync(raw);
    return { status, body: compressed, headers: { ...base, 'Content-Encoding': 'gzip' } };
  }
  return { status, body: raw, headers: base };
}

/** Compact JSON (no pretty printing: it is read by machines and costs bytes). */
export function jsonResponse(
  request: Pick<HttpRequest, 'headers'>,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  return encodedResponse(request, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
}

/** A 4xx/5xx with a reason people and tools can read. */
export function errorResponse(request: Pick<HttpRequest, 'headers'>, status: number, reason: string): Promise<HttpResponseInit> {
  return jsonResponse(request, status, { error: reason });
}
