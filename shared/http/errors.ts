export type TimeoutKind = 'connect' | 'read' | 'total';

const TIMEOUT_MEANING: Record<TimeoutKind, string> = {
  connect: 'the TCP connection and TLS handshake did not complete',
  read: 'the server sent nothing for',
  total: 'the whole request did not finish within',
};

/** A request gave up waiting; `kind` says which of the three timeouts fired. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  constructor(
    readonly kind: TimeoutKind,
    readonly timeoutMs: number,
    readonly method: string,
    /** Path only: query strings may carry ids, never tokens, but stay out of messages anyway. */
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(
      `${kind} timeout: ${TIMEOUT_MEANING[kind]} ${kind === 'connect' ? 'within' : ''} ${timeoutMs} ms (${method} ${path})`.replace(
        /\s+/g,
        ' ',
      ),
      options,
    );
  }
}

/** The connection failed or broke (reset, refused, DNS) before a complete response arrived. */
export class HttpNetworkError extends Error {
  override readonly name = 'HttpNetworkError';
  constructor(
    readonly code: string,
    readonly method: string,
    readonly path: string,
    /** True when the request went out on a pooled socket: a reset then usually means the server closed it while idle. */
    readonly reusedSocket: boolean,
    options?: ErrorOptions,
  ) {
    super(`network error ${code} (${method} ${path}${reusedSocket ? ', reused socket' : ''})`, options);
  }
}

/** Turns anything thrown into an Error, so callers can rely on `.message` and `.name`. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : `non-error thrown: ${safeStringify(value)}`);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    return String(value);
  }
}
