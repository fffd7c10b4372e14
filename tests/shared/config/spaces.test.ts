import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type AppConfig, type ConfigProblem, loadConfig } from '../../../shared/config';

const DEFAULT_ID = '01ef64767add1e6daa55e6299276657d';
const OPS_ID = '01f0aaaabbbbccccddddeeeeffff0000';
const FIN_ID = '01f0111122223333444455556666777a';
const base = {
  DATABRICKS_HOST: 'https://adb-1234567890123456.7.azuredatabricks.net',
  GENIE_SPACE_ID: DEFAULT_ID,
  DATABRICKS_TOKEN: 'dapi0123456789abcdef0123456789abcdef',
  ANSWER_DISPATCH: 'inline',
};
const TEAM = '19:abcdef0123456789@thread.tacv2';

function ok(env: Record<string, string>): AppConfig {
  const result = loadConfig({ ...base, ...env });
  assert.ok(result.ok, `expected a valid config, got ${JSON.stringify(result.ok ? [] : result.problems)}`);
  return result.config;
}

function problemsOf(env: Record<string, string>): readonly ConfigProblem[] {
  const result = loadConfig({ ...base, ...env });
  assert.ok(!result.ok, 'expected configuration problems');
  return result.problems;
}

describe('loadConfig: GENIE_SPACES and GENIE_SPACE_PINS', () => {
  it('offers GENIE_SPACE_ID alone, as alias default, when GENIE_SPACES is absent', () => {
    const config = ok({});
    assert.deepEqual(config.databricks.spaces, [{ alias: 'default', spaceId: DEFAULT_ID }]);
    assert.deepEqual(config.databricks.spacePins, []);
  });

  it('puts the default space first, under default unless GENIE_SPACES names its id', () => {
    assert.deepEqual(
      ok({ GENIE_SPACES: `ops=${OPS_ID}; finance = ${FIN_ID}` }).databricks.spaces.map((s) => s.alias),
      ['default', 'ops', 'finance'],
    );
    const named = ok({ GENIE_SPACES: `ops=${OPS_ID};sales=${DEFAULT_ID}` }).databricks.spaces;
    assert.deepEqual(named, [
      { alias: 'sales', spaceId: DEFAULT_ID },
      { alias: 'ops', spaceId: OPS_ID },
    ]);
  });

  it('reads pins of teams and channels to an alias', () => {
    const config = ok({ GENIE_SPACES: `ops=${OPS_ID}`, GENIE_SPACE_PINS: `${TEAM}=ops;19:general@thread.skype=default` });
    assert.deepEqual(config.databricks.spacePins, [
      { chatId: TEAM, alias: 'ops' },
      { chatId: '19:general@thread.skype', alias: 'default' },
    ]);
  });

  it('reports every problem at once, by name', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ GENIE_SPACES: `Ops=${OPS_ID}` }, 'GENIE_SPACES', /alias=space_id/],
      [{ GENIE_SPACES: 'ops=https://adb-1.azuredatabricks.net/genie/rooms/x' }, 'GENIE_SPACES', /alias=space_id/],
      [{ GENIE_SPACES: `ops=${OPS_ID};ops=${FIN_ID}` }, 'GENIE_SPACES', /each alias once/],
      [{ GENIE_SPACES: `ops=${OPS_ID};fin=${OPS_ID}` }, 'GENIE_SPACES', /each space id once/],
      [{ GENIE_SPACES: `default=${OPS_ID}` }, 'GENIE_SPACES', /names GENIE_SPACE_ID only/],
      [{ GENIE_SPACES: `ops=${OPS_ID}`, GENIE_SPACE_PINS: `${TEAM}=sales` }, 'GENIE_SPACE_PINS', /not: sales/],
      [{ GENIE_SPACE_PINS: `${TEAM}` }, 'GENIE_SPACE_PINS', /team or channel id=alias/],
      [{ GENIE_SPACES: `ops=${OPS_ID}`, GENIE_SPACE_PINS: `${TEAM}=ops;${TEAM}=default` }, 'GENIE_SPACE_PINS', /each team or channel once/],
    ];
    for (const [env, setting, expected] of cases) {
      const found = problemsOf(env).find((p) => p.setting === setting);
      assert.ok(found, `${JSON.stringify(env)} reports ${setting}`);
      assert.match(found.expected, expected, JSON.stringify(env));
    }
    const both = problemsOf({ GENIE_SPACES: `ops=${OPS_ID};ops=${FIN_ID}`, GENIE_SPACE_PINS: `${TEAM}=nowhere`, GENIE_SPACE_ID: '' });
    assert.deepEqual(both.map((p) => p.setting).sort(), ['GENIE_SPACES', 'GENIE_SPACE_ID', 'GENIE_SPACE_PINS']);
  });
});
