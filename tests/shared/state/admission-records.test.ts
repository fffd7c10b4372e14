import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../../shared/runtime';
import { ChatLanes, type LaneValue, MemoryRecordStore, type PaceValue, QuestionPacer, SLOT_TOLERANCE_MS } from '../../../shared/state';

describe('QuestionPacer', () => {
  const pacer = (clock: ManualClock, questionsPerMinute = 5) =>
    new QuestionPacer(new MemoryRecordStore<PaceValue>(1_000, clock), { questionsPerMinute, clock });
  /** 5 a minute: slots over a minute plus the tolerance for sending late. */
  const BASE = (60_000 + SLOT_TOLERANCE_MS) / 5;

  it('gives concurrent takers distinct slots one interval apart, and counts those ahead', async () => {
    const clock = new ManualClock(1_000_000);
    const p = pacer(clock);
    const slots = await Promise.all(Array.from({ length: 6 }, () => p.take()));
    const times = slots.map((s) => s.at).sort((a, b) => a - b);
    assert.deepEqual(
      times,
      times.map((_, i) => 1_000_000 + i * BASE),
    );
    assert.deepEqual(
      slots.map((s) => s.ahead).sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
  });

  it('an idle pace admits at once again', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    await p.take();
    clock.advance(60_000);
    assert.deepEqual(await p.take(), { at: 60_000, ahead: 0, intervalMs: BASE });
  });

  it('keeps Genie’s N per sliding minute even when every question goes out as late as its slot allows', async () => {
    const clock = new ManualClock(0);
    const perMinute = 60;
    const p = pacer(clock, perMinute);
    const slots: number[] = [];
    for (let i = 0; i < 300; i++) slots.push((await p.take()).at);
    // The worst case for a sliding window: the first of a run sent at the end of its tolerance, the rest on time.
    for (let first = 0; first < slots.length; first++) {
      const sent = slots.map((at, i) => (i === first ? at + SLOT_TOLERANCE_MS : at));
      const windowStart = sent[first]!;
      const inWindow = sent.filter((at) => at >= windowStart && at < windowStart + 60_000).length;
      assert.ok(inWindow <= perMinute, `${inWindow} questions in the minute from slot ${first}`);
    }
  });

  it('a 429 pushes the next slot past Retry-After and slows the pace, which comes back a step per slot', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    await p.take();
    await p.slowDown(30_000);
    const first = await p.take();
    assert.equal(first.at, 30_000, 'nothing before Retry-After');
    assert.equal(first.intervalMs, 2 * BASE - BASE / 4, 'doubled, then a quarter of the base back');
    const intervals = [];
    for (let i = 0; i < 5; i++) intervals.push((await p.take()).intervalMs);
    assert.deepEqual(intervals, [1.5 * BASE, 1.25 * BASE, BASE, BASE, BASE]);
  });

  it('the 429s of one burst slow the pace once; a run of bursts to at most eight times the base', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    for (let i = 0; i < 3; i++) await p.slowDown(1_000);
    assert.equal((await p.take()).intervalMs, 2 * BASE - BASE / 4, 'three refusals together: doubled once');
    for (let i = 0; i < 10; i++) {
      clock.advance(BASE);
      await p.slowDown(1_000);
    }
    assert.equal((await p.take()).intervalMs, 8 * BASE - BASE / 4);
  });
});

describe('ChatLanes', () => {
  const lanes = (clock: ManualClock) => new ChatLanes(new MemoryRecordStore<LaneValue>(100, clock), 60_000, clock);
  const open = (ids: Set<string>) => (id: string) => Promise.resolve(ids.has(id));

  it('orders a chat’s questions by when they were asked, whoever joined first', async () => {
    const clock = new ManualClock(0);
    const l = lanes(clock);
    await l.join('chat', 'later', 20);
    await l.join('chat', 'earlier', 10);
    await l.join('chat', 'earlier', 10);
    const all = open(new Set(['later', 'earlier']));
    assert.deepEqual(await l.turn('chat', 'earlier', all), { kind: 'go' });
    assert.deepEqual(await l.turn('chat', 'later', all), { kind: 'behind', ahead: 1 });
    await l.leave('chat', 'earlier');
    assert.deepEqual(await l.turn('chat', 'later', all), { kind: 'go' });
  });

  it('drops a head whose job finished or vanished without leaving, and lets a job outside any lane go', async () => {
    const clock = new ManualClock(0);
    const l = lanes(clock);
    await l.join('chat', 'dead', 1);
    await l.join('chat', 'next', 2);
    assert.deepEqual(await l.turn('chat', 'next', open(new Set(['next']))), { kind: 'go' });
    assert.deepEqual(await l.turn('other-chat', 'stray', open(new Set())), { kind: 'go' });
  });

  it('concurrent joins all land (conditional writes, retried)', async () => {
    const clock = new ManualClock(0);
    const l = lanes(clock);
    await Promise.all(Array.from({ length: 8 }, (_, i) => l.join('chat', `job-${i}`, i)));
    const all = open(new Set(Array.from({ length: 8 }, (_, i) => `job-${i}`)));
    assert.deepEqual(await l.turn('chat', 'job-7', all), { kind: 'behind', ahead: 7 });
  });
});
