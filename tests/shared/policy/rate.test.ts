import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { RateCheckError, type RateWindow, UserRateLimiter } from '../../../shared/policy';
import { ManualClock } from '../../../shared/runtime';
import { MemoryRecordStore, type RecordStore } from '../../../shared/state';

describe('UserRateLimiter', () => {
  it('allows `limit` questions a minute, then says how long until the window reopens', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new UserRateLimiter(new MemoryRecordStore<RateWindow>(100, clock), 3, clock);
    for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.take('user-a'), { ok: true });
    clock.advance(20_000);
    assert.deepEqual(await limiter.take('user-a'), { ok: false, retryAfterMs: 40_000 });
    assert.deepEqual(await limiter.take('user-b'), { ok: true }, 'each person has their own window');
    clock.advance(40_000);
    assert.deepEqual(await limiter.take('user-a'), { ok: true }, 'a new window opens after a minute');
  });

  it('shares one allowance between instances on the same store', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRecordStore<RateWindow>(100, clock);
    const [first, second] = [new UserRateLimiter(store, 2, clock), new UserRateLimiter(store, 2, clock)];
    assert.equal((await first.take('u')).ok, true);
    assert.equal((await second.take('u')).ok, true);
    assert.equal((await first.take('u')).ok, false);
    assert.equal((await second.take('u')).ok, false);
  });

  it('keys windows by a hash of the user id, never the id', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRecordStore<RateWindow>(100, clock);
    await new UserRateLimiter(store, 2, clock).take('29:secret-user');
    const key = UserRateLimiter.keyOf('29:secret-user');
    assert.match(key, /^rate:[0-9a-f]{32}$/);
    assert.ok(await store.get(key));
  });

  it('gives up (so the gate fails closed) when every conditional write loses', async () => {
    const clock = new ManualClock(0);
    const inner = new MemoryRecordStore<RateWindow>(100, clock);
    const losing: RecordStore<RateWindow> = Object.assign(Object.create(inner) as RecordStore<RateWindow>, {
      get: (key: string) => inner.get(key),
      insert: () => Promise.resolve(undefined),
      replace: () => Promise.resolve(undefined),
    });
    await assert.rejects(new UserRateLimiter(losing, 2, clock).take('u'), RateCheckError);
  });
});
