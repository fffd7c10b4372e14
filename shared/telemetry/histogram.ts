import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** What /api/metrics shows of one latency histogram, in milliseconds to 0.1. */
export interface LatencySummary {
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly mean?: number;
  readonly max?: number;
}

/** The histogram records integers: microseconds keep sub-millisecond webhook times apart. */
const MICROS_PER_MS = 1_000;
/** Longer waits are recorded as this: the answer timeout is well below an hour. */
const HIGHEST_MS = 60 * 60_000;

/**
 * Latency percentiles in fixed memory: Node's HDR histogram with 2 significant figures, so
 * p50/p95/p99, mean and max are within 1% whatever the number of samples (~40 KB each).
 */
export class LatencyHistogram {
  private readonly histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: HIGHEST_MS * MICROS_PER_MS, figures: 2 });

  record(ms: number): void {
    this.histogram.record(Math.round(Math.min(Math.max(ms, 0), HIGHEST_MS) * MICROS_PER_MS) || 1);
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.count === 0) return { count: 0 };
    const ms = (micros: number): number => Math.round(micros / (MICROS_PER_MS / 10)) / 10;
    return {
      count: h.count,
      p50: ms(h.percentile(50)),
      p95: ms(h.percentile(95)),
      p99: ms(h.percentile(99)),
      mean: ms(h.mean),
      max: ms(h.max),
    };
  }
}
