import { getConfig, type HttpClientSettings } from '../config';
import { KeepAliveHttpClient } from './client';

export { type HttpClientStats, type HttpRequestConfig, KeepAliveHttpClient } from './client';
export { ensureError, HttpNetworkError, HttpTimeoutError, type TimeoutKind } from './errors';

let shared: KeepAliveHttpClient | undefined;

/**
 * THE keep-alive client of this process. Module scope keeps it across warm invocations of every
 * function in the app; it is created on first use so that functions which never call out
 * (health) never pay for it.
 */
export function getSharedHttpClient(settings: HttpClientSettings = getConfig().http): KeepAliveHttpClient {
  shared ??= new KeepAliveHttpClient(settings);
  return shared;
}

/** Stats of the shared client, or undefined when nothing has used it yet. */
export function sharedHttpStats(): ReturnType<KeepAliveHttpClient['stats']> | undefined {
  return shared?.stats();
}
