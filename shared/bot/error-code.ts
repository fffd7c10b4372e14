import { ensureError } from '../http';

/** An operator's code for a failure (name, code, status): never its message, which may carry user data. */
export function errorCode(error: unknown): string {
  const e = ensureError(error) as Error & { status?: number; errorCode?: string; statusCode?: number; type?: string };
  return [e.name, e.errorCode ?? e.type, e.status ?? e.statusCode].filter((p) => p !== undefined).join(':');
}
