import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TableClient } from '@azure/data-tables';

import { ManualClock, systemClock } from '../../../shared/runtime';
import {
  type ConversationLease,
  MemoryRecordStore,
  type RecordStore,
  SessionService,
  type SessionValue,
  sweepExpired,
  TableRecordStore,
} from '../../../shared/state';
import { createMemoryStores } from '../../../shared/state';
import { type Azurite, startAzurite } from '../../helpers/azurite';

const SPACE = '01ef64767add1e6daa55e6299276657d';

/**
 * Simulates N instances receiving the first question of one chat at the same time: each acquires,
 * and whoever must start a conversation "asks Genie" (slowly) and records it.
 */
async function concurrentFirstQuestions(sessions: SessionService, n: number): Promise<{ started: number; conversations: Set<string> }> {
  let started = 0;
  const conversations = new Set<string>();
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const lease: ConversationLease = await sessions.acquire('chat:1', `job-${i}`);
      if (lease.kind === 'continue') return void conversations.add(lease.conversationId);
      started++;
      await new Promise((resolve) => setTimeout(resolve, 150)); // the start-conversation POST
      const conversationId = `conv-${i}`;
      await sessions.recordAsked('chat:1', { spaceId: SPACE, conversationId, messageId: `m-${i}` }, lease);
      conversations.add(conversationId);
    }),
  );
  return { started, conversations };
}

function sessionsSuite(name: string, makeStore: () => Promise<RecordStore<SessionValue>>) {
  describe(`SessionService (${name})`, () => {
    it('lets concurrent first messages of one chat create exactly one Genie conversation', async () => {
      const sessions = new SessionService(await makeStore(), { spaceId: SPACE, idleMs: 60_000, waitStepMs: 20, clock: systemClock });
      const { started, conversations } = await concurrentFirstQuestions(sessions, 6);
      assert.equal(started, 1, 'one instance started a conversation');
      assert.equal(conversations.size, 1, 'everyone continued that one');
    });

    it('takes over a claim whose holder died', async () => {
      const sessions = new SessionService(await makeStore(), {
        spaceId: SPACE,
        idleMs: 60_000,
        claimMs: 300,
        waitStepMs: 20,
        clock: systemClock,
      });
      const first = await sessions.acquire('chat:2', 'job-dead');
      assert.equal(first.kind, 'start');
      const second = await sessions.acquire('chat:2', 'job-alive'); // waits out the dead claim
      assert.equal(second.kind, 'start');
    });
  });
}

sessionsSuite('memory', () => Promise.resolve(new MemoryRecordStore<SessionValue>(1_000)));

describe('SessionService (Azure Table on Azurite)', () => {
  let azurite: Azurite;
  let n = 0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(() => azurite.stop());
  sessionsSuite('table', () =>
    Promise.resolve(
      new TableRecordStore<SessionValue>(
        TableClient.fromConnectionString(azurite.connectionString, `sessions${++n}`, { allowInsecureConnection: true }),
      ),
    ),
  );
});

describe('SessionService expiry and reset', () => {
  it('continues within the idle time, starts anew after it, and leaves the old conversation to the sweep', async () => {
    const clock = new ManualClock(1_000_000);
    const stores = createMemoryStores(1_000, clock);
    const sessions = new SessionService(stores.sessions, { spaceId: SPACE, idleMs: 240 * 60_000, clock });
    const lease = await sessions.acquire('chat', 'job-1');
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'conv-old', messageId: 'm1' }, lease);
    clock.advance(239 * 60_000);
    assert.deepEqual(await sessions.acquire('chat', 'job-2'), { kind: 'continue', conversationId: 'conv-old' });
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'conv-old', messageId: 'm2' });
    clock.advance(239 * 60_000);
    assert.equal((await sessions.acquire('chat', 'job-3')).kind, 'continue', 'each question restarts the idle clock');
    clock.advance(241 * 60_000);
    const fresh = await sessions.acquire('chat', 'job-4');
    assert.equal(fresh.kind, 'start', 'an expired session starts a new conversation');
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'conv-new', messageId: 'm3' }, fresh);

    clock.advance(241 * 60_000);
    const deleted: string[] = [];
    const result = await sweepExpired(stores, {
      now: clock.now(),
      deleteConversation: (_s, c) => {
        deleted.push(c);
        return Promise.resolve();
      },
    });
    assert.deepEqual(deleted.sort(), ['conv-new', 'conv-old'], 'the replaced conversation was retired, not forgotten');
    assert.equal(result.conversationsDeleted, 2);
  });

  it('reset makes the next question start a new conversation', async () => {
    const clock = new ManualClock(0);
    const sessions = new SessionService(new MemoryRecordStore<SessionValue>(100, clock), { spaceId: SPACE, idleMs: 60_000, clock });
    const lease = await sessions.acquire('chat', 'job-1');
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'c1', messageId: 'm1' }, lease);
    assert.equal(await sessions.countActive(), 1);
    assert.equal(await sessions.reset('chat'), true);
    assert.equal((await sessions.acquire('chat', 'job-2')).kind, 'start');
    assert.equal(await sessions.reset('nobody'), false);
  });
});
