import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../../shared/runtime';
import { MemoryRecordStore } from '../../../shared/state';
import { MEMORY_SWEEP_GRACE_MS } from '../../../shared/state/memory-store';
import { recordStoreContract } from './record-store-contract';

describe('MemoryRecordStore: contract', () => {
  let clock = new ManualClock(1_000_000);
  recordStoreContract({
    store: () => {
      clock = new ManualClock(1_000_000);
      return Promise.resolve(new MemoryRecordStore<{ n: number }>(1_000, clock));
    },
    advance: (ms) => clock.advance(ms),
    now: () => clock.now(),
  });
});

describe('MemoryRecordStore: bounds', () => {
  it('keeps at most N entries through 100,000 distinct chats, dropping the least recently used', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRecordStore<{ n: number }>(1_000, clock);
    await store.put('chat:keep', { n: -1 }, 10_000_000);
    for (let i = 0; i < 100_000; i++) {
      await store.put(`chat:${i}`, { n: i }, 10_000_000);
      if (i % 500 === 0) await store.get('chat:keep'); // used often: must survive
      assert.ok(store.size <= 1_000);
    }
    assert.equal(store.size, 1_000);
    assert.ok(await store.get('chat:keep'), 'a recently used chat survives');
    assert.equal(await store.get('chat:0'), undefined, 'the least recently used went first');
    assert.ok(await store.get('chat:99999'));
  });

  it('sweeps expired entries lazily as it is used, without timers', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRecordStore<{ n: number }>(10_000, clock);
    for (let i = 0; i < 64; i++) await store.put(`k${i}`, { n: i }, 1_000);
    clock.advance(5_000);
    await store.get('anything');
    assert.equal(store.size, 64, 'kept for the timer sweep during the grace period');
    clock.advance(MEMORY_SWEEP_GRACE_MS);
    for (let i = 0; i < 4; i++) await store.get('anything');
    assert.equal(store.size, 0, 'then dropped by ordinary use');
  });
});
