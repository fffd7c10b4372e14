import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../../shared/runtime';
import { ChatLanes, type LaneValue, MemoryRecordStore, type PaceValue, QuestionPacer, SLOT_TOLERANCE_MS } from '../../../shared/state';

describe('QuestionPacer', () => {
  const pacer = (clock: ManualClock, questionsPerMinute = 5) =>
    new QuestionPacer(new MemoryRecordStore<PaceValue>(1_000, clock), { questionsPerMinute, clock });
  /** No more than N questions share this span: a minute plus the tolerance for sending late. */
  const WINDOW = 60_000 + SLOT_TOLERANCE_MS;
  /** 5 a minute, spaced evenly: the base spacing after a 429. */
  const BASE = WINDOW / 5;

  /** The most slots sent within `tolerance` of their times that any 60 s window can hold (the worst case: one late, the rest on time). */
  function worstMinute(slots: readonly number[], tolerance: number): number {
    let most = 0;
    for (let late = 0; late < slots.length; late++) {
      const sent = slots.map((at, i) => (i === late ? at + tolerance : at));
      for (const start of sent) most = Math.max(most, sent.filter((at) => at >= start && at < start + 60_000).length);
    }
    return most;
  }

  it('gives an idle workspace a minute’s questions at once, then the slots a minute after them; concurrent takers get distinct slots', async () => {
    const clock = new ManualClock(1_000_000);
    const p = pacer(clock);
    const slots = await Promise.all(Array.from({ length: 7 }, () => p.take()));
    const times = slots.map((s) => s.at).sort((a, b) => a - b);
    assert.deepEqual(times, [1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000 + WINDOW, 1_000_000 + WINDOW]);
    assert.deepEqual(
      slots.map((s) => s.ahead).sort((a, b) => a - b),
      [0, 0, 0, 0, 0, 1, 2],
      'ahead: the questions waiting for earlier slots and the one each waits behind',
    );
  });

  it('an idle pace admits at once again', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    for (let i = 0; i < 6; i++) await p.take();
    clock.advance(10 * 60_000);
    assert.deepEqual(await p.take(), { at: 600_000, ahead: 0, intervalMs: BASE });
  });

  it('keeps Genie’s N per sliding minute even when questions go out as late as their slots allow', async () => {
    for (const perMinute of [5, 60, 500]) {
      const clock = new ManualClock(0);
      const p = pacer(clock, perMinute);
      const slots: number[] = [];
      // Takers arriving faster than the pace, a few at a time.
      for (let i = 0; i < 3 * perMinute; i++) {
        slots.push((await p.take()).at);
        if (i % 3 === 2) clock.advance(7_000 / perMinute);
      }
      assert.ok(worstMinute(slots, SLOT_TOLERANCE_MS) <= perMinute, `${perMinute}/min: ${worstMinute(slots, SLOT_TOLERANCE_MS)}`);
      if (perMinute <= 60) assert.equal(worstMinute(slots, 0), perMinute, 'and uses all of it when sent on time');
    }
  });

  it('a 429 pushes the next slot past Retry-After and spaces slots out, which comes back a step per slot until bursts are allowed again', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    await p.take();
    await p.slowDown(30_000);
    const first = await p.take();
    assert.equal(first.at, 30_000, 'nothing before Retry-After');
    const gaps: number[] = [];
    let previous = first.at;
    for (let i = 0; i < 5; i++) {
      const next = (await p.take()).at;
      gaps.push(next - previous);
      previous = next;
    }
    assert.deepEqual(
      gaps.slice(0, 4),
      [2 * BASE - BASE / 4, 1.5 * BASE, 1.25 * BASE, BASE],
      'doubled, then a quarter of the base back per slot',
    );
    clock.advance(10 * 60_000);
    const burst = await Promise.all([p.take(), p.take(), p.take()]);
    assert.deepEqual(
      burst.map((s) => s.at),
      [clock.now(), clock.now(), clock.now()],
      'recovered: a burst again',
    );
  });

  it('the 429s of one burst slow the pace once; a run of bursts to at most eight times the base', async () => {
    const clock = new ManualClock(0);
    const p = pacer(clock);
    for (let i = 0; i < 3; i++) await p.slowDown(1_000);
    const a = await p.take();
    const b = await p.take();
    assert.equal(b.at - a.at, 2 * BASE - BASE / 4, 'three refusals together: slowed once');
    for (let i = 0; i < 10; i++) {
      clock.advance(BASE);
      await p.slowDown(1_000);
    }
    clock.advance(60 * 60_000 - 1);
    const c = await p.take();
    const d = await p.take();
    assert.equal(d.at - c.at, 8 * BASE - BASE / 4);
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
