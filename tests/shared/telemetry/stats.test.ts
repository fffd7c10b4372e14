import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../../shared/runtime';
import { createLogger, LatencyHistogram, Telemetry, truncateForLog } from '../../../shared/telemetry';

/** A seeded PRNG (mulberry32), so the sampled count is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sampled stats log', () => {
  it('writes about 1 + 10 summaries for 1,000 questions in one minute, and one more the next minute', () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const telemetry = new Telemetry({ logger: createLogger('info', (_level, line) => lines.push(line)), clock, random: seeded(42) });
    for (let i = 0; i < 1_000; i++) {
      telemetry.questionStarted();
      telemetry.questionFinished('answered', 'none', 1_000 + i, 900);
      clock.advance(59); // 1,000 questions over 59 s
    }
    const stats = lines.map((line) => JSON.parse(line) as { event: string; trigger: string; questions: number });
    assert.ok(stats.every((s) => s.event === 'stats'), 'nothing but summaries: no per-question lines');
    const intervals = stats.filter((s) => s.trigger === 'interval').length;
    const samples = stats.filter((s) => s.trigger === 'sample').length;
    assert.equal(intervals, 1, 'one by the clock');
    assert.ok(samples >= 3 && samples <= 20, `${samples} by 1% sampling (expected about 10)`);
    assert.equal(telemetry.statsLogLines, stats.length);

    clock.advance(2_000);
    telemetry.questionStarted();
    telemetry.questionFinished('failed', 'timeout', 5_000);
    assert.equal(lines.map((l) => JSON.parse(l) as { trigger: string }).filter((s) => s.trigger === 'interval').length, 2, 'the next minute gets its own');
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    assert.equal(last.questions, 1_001);
    assert.equal(last.failed, 1);
  });

  it('keeps percentiles within 10% in fixed memory', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    assert.equal(summary.count, 10_000);
    for (const [value, exact] of [
      [summary.p50, 5_000],
      [summary.p95, 9_500],
      [summary.p99, 9_900],
    ] as const) {
      assert.ok(value !== undefined && Math.abs(value - exact) / exact <= 0.1, `${value} vs ${exact}`);
    }
    assert.equal(new LatencyHistogram().summary().p50, undefined);
  });

  it('compacts payloads for debug logs by the seed’s rule', () => {
    const compact = truncateForLog({ text: 'x'.repeat(1_500), rows: Array.from({ length: 25 }, (_, i) => i), big: 2n ** 70n }) as Record<string, unknown>;
    assert.equal((compact.text as string).startsWith('x'.repeat(1_000) + '…(1500 chars)'), true);
    assert.deepEqual(compact.rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '…(15 more)']);
    assert.equal(compact.big, '1180591620717411303424');
  });
});
