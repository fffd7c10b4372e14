import type { LogLevel } from '../config';

/** Values a log line may carry: codes, counts, durations, ids — never user text unless asked for. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where finished lines go: the invocation's context.log under the Functions host, else the console. */
export type LogSink = (level: LogLevel, line: string) => void;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** The same logger, writing through `sink` (one invocation's context). */
  withSink(sink: LogSink): Logger;
  readonly level: LogLevel;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/**
 * One compact JSON line per event (`{"level","event",...fields}`), filtered by level. Lines go to
 * the sink, which under the Functions host is context.log: handed to the host over its channel,
 * never a synchronous file write on the request path.
 */
export function createLogger(level: LogLevel, sink: LogSink = consoleSink): Logger {
  const write = (at: LogLevel, event: string, fields?: LogFields): void => {
    if (ORDER[at] < ORDER[level]) return;
    const line: Record<string, unknown> = { level: at, event };
    for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) line[key] = value;
    sink(at, JSON.stringify(line));
  };
  return {
    level,
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    withSink: (other) => createLogger(level, other),
  };
}

/**
 * Compacts a payload for debug logs: strings over 1,000 characters and arrays over 10 items cut
 * (the seed's rule); bigints as text so the result is JSON.
 */
export function truncateForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return value.length > 1_000 ? `${value.slice(0, 1_000)}…(${value.length} chars)` : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, 10).map((v) => truncateForLog(v, depth + 1));
    return value.length > 10 ? [...items, `…(${value.length - 10} more)`] : items;
  }
  if (value && typeof value === 'object') {
    if (depth > 6) return '…';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncateForLog(v, depth + 1)]));
  }
  return value;
}
