import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { AccessToken, TokenCredential } from '@azure/identity';

import { AZURE_DATABRICKS_RESOURCE, CachedTokenSource, entraTokenSource, type IssuedToken } from '../../../shared/genie';
import { ManualClock } from '../../../shared/runtime';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CachedTokenSource', () => {
  it('shares one fetch among 50 concurrent callers and caches until shortly before expiry', async () => {
    const clock = new ManualClock(1_000_000);
    const pending: ReturnType<typeof deferred<IssuedToken>>[] = [];
    const source = new CachedTokenSource(() => {
      const d = deferred<IssuedToken>();
      pending.push(d);
      return d.promise;
    }, clock);
    const callers = Promise.all(Array.from({ length: 50 }, () => source.getToken()));
    assert.equal(pending.length, 1, 'one request for fifty callers');
    pending[0]!.resolve({ token: 't1', expiresAt: clock.now() + 3_600_000 });
    assert.deepEqual(new Set(await callers), new Set(['t1']));

    clock.advance(3_600_000 - 5 * 60_000 - 1);
    assert.equal(await source.getToken(), 't1', 'still fresh');
    assert.equal(pending.length, 1);
    clock.advance(2);
    const refreshed = source.getToken();
    assert.equal(pending.length, 2, 'refreshed five minutes before expiry');
    pending[1]!.resolve({ token: 't2', expiresAt: clock.now() + 3_600_000 });
    assert.equal(await refreshed, 't2');
  });

  it('keeps using a still-valid token when a refresh fails, and fails when none is valid', async () => {
    const clock = new ManualClock(0);
    let fail = false;
    const source = new CachedTokenSource(
      () =>
        fail ? Promise.reject(new Error('token endpoint down')) : Promise.resolve({ token: 'ok', expiresAt: clock.now() + 3_600_000 }),
      clock,
    );
    assert.equal(await source.getToken(), 'ok');
    fail = true;
    clock.advance(3_500_000);
    assert.equal(await source.getToken(), 'ok', 'old token still valid for 100 s');
    clock.advance(200_000);
    await assert.rejects(source.getToken(), /token endpoint down/);
    assert.equal(source.fetches, 3);
  });

  it('fetches anew after invalidate (a 401)', async () => {
    let n = 0;
    const source = new CachedTokenSource(() => Promise.resolve({ token: `t${++n}`, expiresAt: Date.now() + 3_600_000 }));
    assert.equal(await source.getToken(), 't1');
    source.invalidate();
    assert.equal(await source.getToken(), 't2');
  });
});

describe('entraTokenSource', () => {
  it('asks @azure/identity for Azure Databricks once for concurrent callers and explains a failure', async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: (scope) => {
        scopes.push(String(scope));
        return new Promise<AccessToken>((resolve) =>
          setTimeout(() => resolve({ token: 'entra-token', expiresOnTimestamp: Date.now() + 3_600_000 }), 10),
        );
      },
    };
    const source = entraTokenSource(credential);
    assert.deepEqual(new Set(await Promise.all(Array.from({ length: 20 }, () => source.getToken()))), new Set(['entra-token']));
    assert.deepEqual(scopes, [`${AZURE_DATABRICKS_RESOURCE}/.default`]);

    const failing = entraTokenSource({ getToken: () => Promise.reject(new Error('ManagedIdentityCredential: no identity assigned')) });
    await assert.rejects(
      failing.getToken(),
      /Microsoft Entra ID token for Azure Databricks failed: Error: ManagedIdentityCredential: no identity assigned/,
    );
  });
});
