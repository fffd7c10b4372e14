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
  it('writes 1 + 10 summaries for 1,000 questions in one minute, and one more the next minute', () => {
    const clock = new ManualClock(0);
    const lines: string[] = [];
    const telemetry = new Telemetry({ logger: createLogger('info', (_level, line) => lines.push(line)), clock, random: seeded(42) });
    for (let i = 0; i < 1_000; i++) {
      telemetry.questionAccepted();
      telemetry.questionFinished('answered', 'none', 1_000 + i, 900);
      clock.advance(59); // 1,000 questions over 59 s
    }
    const stats = lines.map((line) => JSON.parse(line) as { event: string; trigger: string; answered: number });
    assert.ok(
      stats.every((s) => s.event === 'stats'),
      'nothing but summaries: no per-question lines',
    );
    assert.equal(stats.filter((s) => s.trigger === 'interval').length, 1, 'one by the clock: the first question');
    // The first question is due by the clock and draws nothing; each of the other 999 draws once and
    // is summarised when the draw is below 1%. The seeded generator's 999 draws hold exactly 10 such.
    const draws = seeded(42);
    const expected = Array.from({ length: 999 }, draws).filter((draw) => draw < 0.01).length;
    assert.equal(expected, 10);
    assert.equal(stats.filter((s) => s.trigger === 'sample').length, expected);

    clock.advance(2_000);
    telemetry.questionAccepted();
    telemetry.questionFinished('failed', 'timeout', 5_000);
    assert.equal(
      lines.map((l) => JSON.parse(l) as { trigger: string }).filter((s) => s.trigger === 'interval').length,
      2,
      'the next minute gets its own',
    );
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    assert.equal(last.accepted, 1_001);
    assert.equal(last.answered, 1_000);
    assert.equal(last.failed, 1);
    assert.equal(last.answering, 0);
  });

  it('keeps percentiles within 1% in fixed memory', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.record(ms);
    const summary = histogram.summary();
    assert.equal(summary.count, 10_000);
    for (const [value, exact] of [
      [summary.p50, 5_000],
      [summary.p95, 9_500],
      [summary.p99, 9_900],
      [summary.mean, 5_000.5],
      [summary.max, 10_000],
    ] as const) {
      assert.ok(value !== undefined && Math.abs(value - exact) / exact <= 0.01, `${value} vs ${exact}`);
    }
    assert.deepEqual(new LatencyHistogram().summary(), { count: 0 });
  });

  it('records sub-millisecond, zero and over-an-hour durations instead of throwing or dropping them', () => {
    const histogram = new LatencyHistogram();
    histogram.record(0);
    histogram.record(0.25);
    histogram.record(-3);
    histogram.record(5 * 3_600_000);
    const summary = histogram.summary();
    assert.equal(summary.count, 4);
    assert.ok(summary.p50 !== undefined && summary.p50 < 1, `${summary.p50}: sub-millisecond values stay below a millisecond`);
    assert.ok(summary.max !== undefined && Math.abs(summary.max - 3_600_000) / 3_600_000 <= 0.01, `${summary.max}: capped at an hour`);
  });

  it('compacts payloads for debug logs by the seed’s rule', () => {
    const compact = truncateForLog({ text: 'x'.repeat(1_500), rows: Array.from({ length: 25 }, (_, i) => i), big: 2n ** 70n }) as Record<
      string,
      unknown
    >;
    assert.equal((compact.text as string).startsWith('x'.repeat(1_000) + '…(1500 chars)'), true);
    assert.deepEqual(compact.rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '…(15 more)']);
    assert.equal(compact.big, '1180591620717411303424');
  });
});
