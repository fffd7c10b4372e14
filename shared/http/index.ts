import { getConfig, type HttpClientSettings } from '../config';
import { KeepAliveHttpClient } from './client';

export { type HttpClientStats, type HttpRequestConfig, KeepAliveHttpClient } from './client';
export { ensureError, HttpNetworkError, HttpTimeoutError, type TimeoutKind } from './errors';

let shared: { readonly client: KeepAliveHttpClient; readonly settings: HttpClientSettings } | undefined;

function sameSettings(a: HttpClientSettings, b: HttpClientSettings): boolean {
  return (Object.keys(a) as (keyof HttpClientSettings)[]).every((key) => a[key] === b[key]);
}

/**
 * THE keep-alive client of this process: one agent and socket pool per process, kept in module
 * scope across warm invocations and built on first use (health never pays for it). There is one
 * per process, so asking again with other settings throws rather than silently handing back a
 * client with the first caller's timeouts.
 */
export function getSharedHttpClient(settings: HttpClientSettings = getConfig().http): KeepAliveHttpClient {
  if (!shared) shared = { client: new KeepAliveHttpClient(settings), settings };
  else if (!sameSettings(shared.settings, settings))
    throw new Error('the shared HTTP client of this process was built with other settings');
  return shared.client;
}

/** Stats of the shared client, or undefined when nothing has used it yet. */
export function sharedHttpStats(): ReturnType<KeepAliveHttpClient['stats']> | undefined {
  return shared?.client.stats();
}
