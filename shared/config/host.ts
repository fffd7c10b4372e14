import hostJson from '../../host.json';

/** A host.json TimeSpan (`hh:mm:ss`) in milliseconds. */
export function timeSpanMs(value: string): number {
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(value);
  if (!match) throw new Error(`host.json: not a hh:mm:ss time span: ${value}`);
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000;
}

/**
 * The Functions host's settings the code must agree with, read from host.json (inlined at build,
 * and host.json ships beside the bundle): one place for each fact.
 */
export const HOST_SETTINGS = Object.freeze({
  /** Attempts at a queue message before the host moves it to `<queue>-poison`. */
  maxDequeueCount: hostJson.extensions.queues.maxDequeueCount,
  /** The longest the host waits between looks at an idle queue: how late a due message may be picked up. */
  queueMaxPollingIntervalMs: timeSpanMs(hostJson.extensions.queues.maxPollingInterval),
  /** How long a failed queue message stays invisible before its next attempt. */
  queueVisibilityTimeoutMs: timeSpanMs(hostJson.extensions.queues.visibilityTimeout),
  /** The longest one function invocation may run. */
  functionTimeoutMs: timeSpanMs(hostJson.functionTimeout),
});
