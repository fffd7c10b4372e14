import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { getConfig } from '../../shared/config';
import { restoreEnv, TEST_ENV, useEnv } from './env';

describe('useEnv / restoreEnv', () => {
  const names = ['GENIE_TEST_KEPT', 'GENIE_TEST_UNSET', 'GENIE_TEST_REMOVED'] as const;
  afterEach(() => {
    for (const name of names) delete process.env[name];
  });

  it('puts back values that existed before and removes only the names that did not', () => {
    process.env.GENIE_TEST_KEPT = 'before';
    process.env.GENIE_TEST_REMOVED = 'also before';
    useEnv({ GENIE_TEST_KEPT: 'during', GENIE_TEST_UNSET: 'during', GENIE_TEST_REMOVED: undefined });
    assert.equal(process.env.GENIE_TEST_KEPT, 'during');
    assert.equal(process.env.GENIE_TEST_UNSET, 'during');
    assert.equal('GENIE_TEST_REMOVED' in process.env, false);

    restoreEnv();
    assert.equal(process.env.GENIE_TEST_KEPT, 'before');
    assert.equal(process.env.GENIE_TEST_REMOVED, 'also before');
    assert.equal('GENIE_TEST_UNSET' in process.env, false);
  });

  it('restores the value from before the first of several changes', () => {
    process.env.GENIE_TEST_KEPT = 'original';
    useEnv({ GENIE_TEST_KEPT: 'first' });
    useEnv({ GENIE_TEST_KEPT: 'second' });
    restoreEnv();
    assert.equal(process.env.GENIE_TEST_KEPT, 'original');
  });

  it('reloads the configuration on every change', () => {
    useEnv({ ...TEST_ENV, GENIE_SPACE_ID: 'space-during-the-test' });
    assert.equal(getConfig().databricks.spaceId, 'space-during-the-test');
    useEnv({ GENIE_SPACE_ID: TEST_ENV.GENIE_SPACE_ID });
    assert.equal(getConfig().databricks.spaceId, TEST_ENV.GENIE_SPACE_ID);
    restoreEnv();
  });
});
