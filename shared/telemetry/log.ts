import type { LogLevel } from '../config';
import { currentInvocationLog } from '../runtime';

/** Values a log line may carry: codes, counts, durations, ids — never user text unless asked for. */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** Where finished lines go. */
export type LogSink = (level: LogLevel, line: string) => void;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  readonly level: LogLevel;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/**
 * The running Functions invocation's context.log when there is one (handed to the host over its
 * channel, tagged with the invocation id and trace, so the portal shows the line with its request),
 * else the console. Debug lines go at the host's Information level: LOG_LEVEL already chose to write
 * them, and host.json's default filter would drop Debug; the line still says `"level":"debug"`.
 */
const invocationSink: LogSink = (level, line) => {
  const log = currentInvocationLog();
  if (!log) consoleSink(level, line);
  else if (level === 'error') log.error(line);
  else if (level === 'warn') log.warn(line);
  else log.info(line);
};

/** One compact JSON line per event (`{"level","event",...fields}`), filtered by level. */
export function createLogger(level: LogLevel, sink: LogSink = invocationSink): Logger {
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
