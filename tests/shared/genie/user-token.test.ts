import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GenieSignInRequiredError, userTokenSource } from '../../../shared/genie';

describe('the asker’s token for one question (userTokenSource)', () => {
  it('fetches once, shares the fetch, and fetches again after invalidate (a 401)', async () => {
    const issued = ['first', 'second'];
    let fetches = 0;
    const source = userTokenSource(() => Promise.resolve(issued[fetches++]));
    assert.deepEqual(await Promise.all([source.getToken(), source.getToken()]), ['first', 'first']);
    assert.equal(fetches, 1);
    source.invalidate();
    assert.equal(await source.getToken(), 'second');
    assert.equal(fetches, 2);
  });

  it('says sign-in is required when the token service holds none, and looks again next time', async () => {
    const held: string[] = [];
    const source = userTokenSource(() => Promise.resolve(held[0]));
    await assert.rejects(source.getToken(), GenieSignInRequiredError);
    held.push('now-signed-in');
    assert.equal(await source.getToken(), 'now-signed-in');
  });
});
