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

describe('SessionService with several spaces', () => {
  const OPS = '01f0e1a5c0de4e6a9d5b7e1d2a3c4b60';
  const GONE = '01f0aaaaaaaaaaaaaaaaaaaaaaaaaaaa';

  function setUp() {
    const clock = new ManualClock(1_000);
    const stores = createMemoryStores(1_000, clock);
    const sessions = new SessionService(stores.sessions, { spaceId: SPACE, spaceIds: [SPACE, OPS], idleMs: 60_000, clock });
    const deleted: string[] = [];
    const sweep = () =>
      sweepExpired(stores, {
        now: clock.now() + 120_000,
        deleteConversation: (space, conversation) => {
          deleted.push(`${space}/${conversation}`);
          return Promise.resolve();
        },
      });
    return { clock, stores, sessions, deleted, sweep };
  }

  it('a choice keeps the space across `new`, never continues the other space’s conversation, and retires it in its own space', async () => {
    const { clock, sessions, deleted, sweep } = setUp();
    const first = await sessions.acquire('chat', 'job-1', { spaceId: SPACE, askedAt: clock.now() });
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'sales-1', messageId: 'm1' }, first);
    clock.advance(10);
    await sessions.choose('chat', OPS);
    assert.equal(await sessions.spaceOf('chat'), OPS);
    clock.advance(10);
    const second = await sessions.acquire('chat', 'job-2', { spaceId: OPS, askedAt: clock.now() });
    assert.equal(second.kind, 'start', 'a fresh conversation in the chosen space');
    await sessions.recordAsked('chat', { spaceId: OPS, conversationId: 'ops-1', messageId: 'm2' }, second);
    assert.deepEqual(await sessions.acquire('chat', 'job-3', { spaceId: OPS, askedAt: clock.now() }), {
      kind: 'continue',
      conversationId: 'ops-1',
    });
    await sessions.reset('chat');
    assert.equal(await sessions.spaceOf('chat'), OPS, '`new` keeps the chosen space');
    await sweep();
    assert.deepEqual(deleted.sort(), [`${SPACE}/sales-1`, `${OPS}/ops-1`]);
  });

  it('a question asked before a switch is answered in its own space without moving the chat back', async () => {
    const { clock, sessions, deleted, sweep } = setUp();
    const askedAt = clock.now();
    clock.advance(5);
    await sessions.choose('chat', OPS);
    const lease = await sessions.acquire('chat', 'job-early', { spaceId: SPACE, askedAt });
    assert.deepEqual(lease, { kind: 'once' });
    await sessions.recordAsked('chat', { spaceId: SPACE, conversationId: 'sales-once', messageId: 'm1' }, lease);
    assert.equal(await sessions.spaceOf('chat'), OPS);
    // A question asked after the switch into another space (a pinned channel) takes the chat over.
    const later = await sessions.acquire('chat', 'job-late', { spaceId: SPACE, askedAt: clock.now() + 1 });
    assert.equal(later.kind, 'start');
    await sweep();
    assert.deepEqual(deleted, [`${SPACE}/sales-once`], 'the one-off conversation is deleted in its space');
  });

  it('counts a session of a space no longer offered as none: the chat is back to the default', async () => {
    const { clock, stores, sessions } = setUp();
    await stores.sessions.put('chat', { spaceId: GONE, conversationId: 'c-gone', lastUsedAt: clock.now() }, clock.now() + 60_000);
    assert.equal(await sessions.current('chat'), undefined);
    assert.equal(await sessions.spaceOf('chat'), SPACE);
    assert.equal((await sessions.acquire('chat', 'job-1')).kind, 'start');
  });
});
