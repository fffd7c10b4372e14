import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { applyLocalSettings } from '../../dev/local-settings';

describe('local.settings.json', () => {
  it('fills in Values like func start, the environment winning, and reports names only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const file = join(dir, 'local.settings.json');
    writeFileSync(
      file,
      JSON.stringify({
        IsEncrypted: false,
        Values: { GENIE_SPACE_ID: 'from-file', PORT: 7072, DATABRICKS_TOKEN: 'file-token', NESTED: { no: 1 } },
      }),
    );
    const env: NodeJS.ProcessEnv = { DATABRICKS_TOKEN: 'env-token' };
    const applied = applyLocalSettings(file, env);
    assert.deepEqual(applied.sort(), ['GENIE_SPACE_ID', 'PORT']);
    assert.equal(env.GENIE_SPACE_ID, 'from-file');
    assert.equal(env.PORT, '7072');
    assert.equal(env.DATABRICKS_TOKEN, 'env-token', 'the environment wins');
    assert.equal(env.NESTED, undefined, 'only plain values are settings');
    assert.deepEqual(applyLocalSettings(join(dir, 'missing.json'), env), []);
    rmSync(dir, { recursive: true });
  });
});
