import assert from 'node:assert/strict';
import { it } from 'node:test';

import type { RecordStore } from '../../../shared/state';

export interface ContractContext {
  /** A fresh, empty store whose clock is `clock`. */
  store(): Promise<RecordStore<{ n: number }>>;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
  now(): number;
}

/** The behaviour every RecordStore must have, run against memory and against Azure Table on Azurite. */
export function recordStoreContract(ctx: ContractContext): void {
  it('reads back what it wrote, with a version', async () => {
    const store = await ctx.store();
    const etag = await store.put('chat:a', { n: 1 }, ctx.now() + 60_000);
    const record = await store.get('chat:a');
    assert.deepEqual(record?.value, { n: 1 });
    assert.equal(record?.etag, etag);
    assert.equal(await store.get('chat:b'), undefined);
  });

  it('treats keys Teams produces (colons, semicolons, slashes, #) as opaque', async () => {
    const store = await ctx.store();
    const key = '19:abc@thread.tacv2;messageid=1700000000000/#?x';
    await store.put(key, { n: 7 }, ctx.now() + 60_000);
    assert.deepEqual((await store.get(key))?.value, { n: 7 });
  });

  it('expires records by their expiry time (injected clock)', async () => {
    const store = await ctx.store();
    await store.put('k', { n: 1 }, ctx.now() + 1_000);
    ctx.advance(999);
    assert.ok(await store.get('k'), 'still live just before expiry');
    ctx.advance(2);
    assert.equal(await store.get('k'), undefined, 'gone after expiry');
    assert.deepEqual((await store.get('k', { includeExpired: true }))?.value, { n: 1 }, 'visible to the sweep until deleted');
  });

  it('lets exactly one of many concurrent inserts of a key win', async () => {
    const store = await ctx.store();
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => store.insert('dup', { n }, ctx.now() + 60_000)));
    assert.equal(results.filter((r) => r !== undefined).length, 1);
    assert.equal(await store.insert('dup', { n: 99 }, ctx.now() + 60_000), undefined, 'a later insert loses too');
  });

  it('replaces an expired record on insert', async () => {
    const store = await ctx.store();
    await store.insert('k', { n: 1 }, ctx.now() + 1_000);
    ctx.advance(1_001);
    assert.ok(await store.insert('k', { n: 2 }, ctx.now() + 1_000));
    assert.deepEqual((await store.get('k'))?.value, { n: 2 });
  });

  it('replaces and deletes only at the version it was read at', async () => {
    const store = await ctx.store();
    const first = await store.put('k', { n: 1 }, ctx.now() + 60_000);
    const second = await store.replace('k', { n: 2 }, ctx.now() + 60_000, first);
    assert.ok(second, 'the current version may replace');
    assert.equal(await store.replace('k', { n: 3 }, ctx.now() + 60_000, first), undefined, 'a stale version may not');
    assert.equal(await store.delete('k', first), false);
    assert.deepEqual((await store.get('k'))?.value, { n: 2 });
    assert.equal(await store.delete('k', second), true);
    assert.equal(await store.get('k'), undefined);
    assert.equal(await store.replace('k', { n: 4 }, ctx.now() + 60_000, second), undefined, 'replace never resurrects a deleted record');
    assert.equal(await store.get('k'), undefined);
  });

  it('lists expired records for the sweep, bounded, and counts live ones', async () => {
    const store = await ctx.store();
    for (let i = 0; i < 5; i++) await store.put(`old${i}`, { n: i }, ctx.now() + 1_000);
    for (let i = 0; i < 3; i++) await store.put(`new${i}`, { n: i }, ctx.now() + 60_000);
    await store.put('skip:me', { n: 0 }, ctx.now() + 60_000);
    ctx.advance(2_000);
    const expired = await store.listExpired(ctx.now(), 3);
    assert.equal(expired.length, 3, 'bounded by the limit');
    assert.ok(expired.every((r) => r.key.startsWith('old')));
    assert.equal((await store.listExpired(ctx.now(), 100)).length, 5);
    assert.equal(await store.countLive(ctx.now(), 1_000), 4);
    assert.equal(await store.countLive(ctx.now(), 1_000, 'skip:'), 3);
  });
}
