import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEFAULT_POLL_SCHEDULE,
  type GenieMessage,
  type GenieMessageRef,
  GenieWaitTimeoutError,
  nextPollDelay,
  pollUntilAnswered,
} from '../../../shared/genie';
import { ManualClock } from '../../../shared/runtime';

const ref: GenieMessageRef = { spaceId: 's', conversationId: 'c', messageId: 'm' };
const noJitter = () => 0.5;

/** A fake Genie whose message status follows a timeline on the manual clock. */
function timeline(clock: ManualClock, steps: [number, string][]) {
  let gets = 0;
  return {
    gets: () => gets,
    getMessage(): Promise<GenieMessage> {
      gets++;
      const now = clock.now();
      const status = [...steps].reverse().find(([at]) => now >= at)?.[1] ?? 'SUBMITTED';
      return Promise.resolve({ message_id: 'm', status });
    },
  };
}

describe('poll schedule', () => {
  it('looks often while the query runs, less while Genie thinks, least while a warehouse starts', () => {
    const s = DEFAULT_POLL_SCHEDULE;
    assert.equal(nextPollDelay(s, 'EXECUTING_QUERY', 0, noJitter), 500);
    assert.equal(nextPollDelay(s, 'ASKING_AI', 0, noJitter), 1000);
    assert.equal(nextPollDelay(s, 'PENDING_WAREHOUSE', 0, noJitter), 2000);
    assert.equal(nextPollDelay(s, 'SOMETHING_NEW', 0, noJitter), 1000, 'unknown statuses count as thinking');
    assert.equal(nextPollDelay(s, 'ASKING_AI', 10_000, noJitter), 1500, 'the interval grows with time in the phase');
    assert.equal(nextPollDelay(s, 'ASKING_AI', 600_000, noJitter), 3000, 'capped');
    assert.equal(nextPollDelay(s, 'EXECUTING_QUERY', 600_000, noJitter), 2000);
    assert.equal(
      nextPollDelay(s, 'ASKING_AI', 0, () => 0),
      900,
      'jitter spreads ±10%',
    );
    assert.equal(
      nextPollDelay(s, 'ASKING_AI', 0, () => 1),
      1100,
    );
  });
});

describe('pollUntilAnswered', () => {
  it('treats unknown statuses as running and tolerates a status moving backwards', async () => {
    const clock = new ManualClock();
    const genie = timeline(clock, [
      [0, 'SUBMITTED'],
      [1500, 'IN_PROGRESS'],
      [3000, 'EXECUTING_QUERY'],
      [4000, 'ASKING_AI'],
      [6000, 'EXECUTING_QUERY'],
      [8000, 'COMPLETED'],
    ]);
    const seen: string[] = [];
    const result = await pollUntilAnswered(genie, ref, { clock, random: noJitter, onStatus: (s) => seen.push(s) });
    assert.equal(result.message.status, 'COMPLETED');
    assert.deepEqual(seen, ['SUBMITTED', 'IN_PROGRESS', 'EXECUTING_QUERY', 'ASKING_AI', 'EXECUTING_QUERY']);
    // Noticed within one executing-phase interval (the query had run 2 s by then).
    const interval = nextPollDelay(DEFAULT_POLL_SCHEDULE, 'EXECUTING_QUERY', 2_000, noJitter);
    assert.ok(result.waitedMs - 8000 <= interval, `answer noticed ${result.waitedMs - 8000} ms after it was ready (interval ${interval})`);
    assert.equal(result.polls, genie.gets());
  });

  it('stops at each final status', async () => {
    for (const final of ['COMPLETED', 'FAILED', 'CANCELLED', 'QUERY_RESULT_EXPIRED']) {
      const clock = new ManualClock();
      const genie = timeline(clock, [
        [0, 'ASKING_AI'],
        [2000, final],
      ]);
      const result = await pollUntilAnswered(genie, ref, { clock, random: noJitter });
      assert.equal(result.message.status, final);
    }
  });

  it('gives up at the budget with a typed error and a bounded number of GETs', async () => {
    const clock = new ManualClock();
    const genie = timeline(clock, [[0, 'PENDING_WAREHOUSE']]);
    await assert.rejects(pollUntilAnswered(genie, ref, { clock, random: noJitter, budgetMs: 600_000 }), (error: unknown) => {
      assert.ok(error instanceof GenieWaitTimeoutError);
      assert.equal(error.lastStatus, 'PENDING_WAREHOUSE');
      assert.equal(error.waitedMs, 600_000, 'the last look lands on the deadline');
      return true;
    });
    assert.ok(genie.gets() <= 130, `${genie.gets()} GETs in 10 minutes`);
    assert.ok(Math.max(...clock.sleeps) <= 5000, 'never more than 5 s between looks');
  });

  it('answers a fast question within a second of it finishing', async () => {
    const clock = new ManualClock();
    const genie = timeline(clock, [
      [0, 'ASKING_AI'],
      [1800, 'EXECUTING_QUERY'],
      [2600, 'COMPLETED'],
    ]);
    const result = await pollUntilAnswered(genie, ref, { clock, random: noJitter });
    assert.ok(result.waitedMs >= 2600 && result.waitedMs <= 3100, `waited ${result.waitedMs}`);
    assert.ok(result.polls <= 4, `${result.polls} GETs`);
  });
});
