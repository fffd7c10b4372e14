import type { Clock, Random } from '../runtime';
import type { LogFields, Logger } from './log';

export interface StatsLogOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: Random;
  /** At most one summary by the clock per this interval. */
  readonly intervalMs: number;
  /** Extra summary chance per finished question. */
  readonly sampleRate: number;
}

/**
 * The `stats` info line: at most one per interval by the clock, plus a sampled share of questions,
 * so the log stays small at any volume yet shows the figures while questions flow.
 */
export class StatsLog {
  private lastIntervalAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: StatsLogOptions) {}

  /** Called once per finished question; `fields` is only built when a line is written. */
  questionFinished(fields: () => LogFields): void {
    const { clock, random, intervalMs, sampleRate, logger } = this.options;
    const now = clock.now();
    const due = now - this.lastIntervalAt >= intervalMs;
    if (!due && random() >= sampleRate) return;
    if (due) this.lastIntervalAt = now;
    logger.info('stats', { trigger: due ? 'interval' : 'sample', ...fields() });
  }
}
