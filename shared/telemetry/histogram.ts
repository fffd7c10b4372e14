/**
 * Latency percentiles in fixed memory: log-spaced buckets 10% apart from 1 ms to ~25 minutes
 * (~150 counters), so p50/p95/p99 are within 10% whatever the number of samples.
 */
export class LatencyHistogram {
  private static readonly GROWTH = 1.1;
  private static readonly BUCKETS = 150;
  private readonly counts = new Uint32Array(LatencyHistogram.BUCKETS);
  private total = 0;
  private sum = 0;
  private max = 0;

  record(ms: number): void {
    const value = Math.max(0, ms);
    const index = value <= 1 ? 0 : Math.min(LatencyHistogram.BUCKETS - 1, Math.ceil(Math.log(value) / Math.log(LatencyHistogram.GROWTH)));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sum += value;
    this.max = Math.max(this.max, value);
  }

  get count(): number {
    return this.total;
  }

  /** The upper edge of the bucket holding the q-th sample (q in 0..1), capped at the largest sample. */
  percentile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, i === 0 ? 1 : LatencyHistogram.GROWTH ** i);
    }
    return this.max;
  }

  summary(): { count: number; p50?: number; p95?: number; p99?: number; mean?: number; max?: number } {
    if (this.total === 0) return { count: 0 };
    const round = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 10) / 10);
    return {
      count: this.total,
      p50: round(this.percentile(0.5)),
      p95: round(this.percentile(0.95)),
      p99: round(this.percentile(0.99)),
      mean: round(this.sum / this.total),
      max: round(this.max),
    };
  }
}
