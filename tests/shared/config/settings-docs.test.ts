import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { CONFIGURATION_DOC, settingsTables, withSettingsTables } from '../../../dev/config-docs';
import { type AnySetting, loadConfig, RUNTIME_SETTINGS, SETTINGS } from '../../../shared/config';

const ROOT = join(__dirname, '..', '..', '..', '..');
const documented = new Set(SETTINGS.map((s) => s.name));
const base = {
  DATABRICKS_HOST: 'https://adb-1.azuredatabricks.net',
  GENIE_SPACE_ID: '01ef64767add1e6d',
  DATABRICKS_TOKEN: 'dapi0',
  ANSWER_DISPATCH: 'inline',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Setting names the code reads by name rather than through a record: from process.env, or raw text. */
function namesReadByName(): Set<string> {
  const names = new Set<string>();
  const patterns = [/\braw\(\s*'([A-Za-z_]+)'/g, /process\.env\.([A-Za-z_]+)/g, /process\.env\[['"]([A-Za-z_]+)['"]\]/g];
  for (const file of [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'functions'))]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  return names;
}

/** A value the record must refuse, or undefined for kinds that take any text. */
function invalidValue(s: AnySetting): string | undefined {
  if (s.kind === 'number') return String(s.max + 1);
  if (s.kind === 'boolean' || s.kind === 'choice') return 'not-an-option';
  if (s.kind === 'url') return 'ftp://example.com';
  return undefined;
}

describe('setting records', () => {
  it('have unique names, and each default is a value the record itself accepts', () => {
    assert.equal(documented.size, SETTINGS.length, 'no name twice');
    for (const s of SETTINGS) {
      if (s.default === undefined || s.kind === 'list') continue;
      assert.equal(s.parse(String(s.default)), s.default, `${s.name}: default ${String(s.default)} is ${s.expected}`);
    }
  });

  it('are all read by the loader: an invalid value is reported by name', () => {
    const readElsewhere = new Set<string>([RUNTIME_SETTINGS.devPort.name]);
    for (const s of SETTINGS.filter((x) => !readElsewhere.has(x.name))) {
      const value = invalidValue(s);
      if (value === undefined) continue;
      const result = loadConfig({ ...base, [s.name]: value });
      const problems = result.ok ? [] : result.problems;
      assert.ok(
        problems.some((p) => p.setting === s.name && p.kind === 'invalid' && p.expected.startsWith(s.expected)),
        `${s.name}=${value}: ${JSON.stringify(problems)}`,
      );
    }
  });

  it('document every setting the code reads by name', () => {
    const read = namesReadByName();
    assert.ok(read.has('WEBSITE_INSTANCE_ID'), 'the scan finds settings');
    // Identity-based storage settings are variants of AzureWebJobsStorage, documented there.
    const undocumented = [...read].filter((n) => !documented.has(n) && !n.startsWith('AzureWebJobsStorage__'));
    assert.deepEqual(undocumented, []);
  });
});

describe('settings docs', () => {
  it('show each default and range as the records have them', () => {
    const tables = settingsTables();
    for (const s of SETTINGS) {
      const row = tables.split('\n').find((line) => line.startsWith(`| \`${s.name}\` |`));
      assert.ok(row, s.name);
      if (s.kind === 'number') assert.ok(row.includes(`${s.min} to ${s.max} | ${s.default} |`), row);
      if (s.kind === 'choice') for (const c of s.choices) assert.ok(row.includes(c), `${s.name}: ${c}`);
    }
  });

  it('keep docs/configuration.md equal to the generated tables (run npm run docs:config)', () => {
    const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
    assert.equal(doc, withSettingsTables(doc));
  });

  it('put every user setting in local.settings.json.example', () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'local.settings.json.example'), 'utf8')) as { Values: Record<string, string> };
    const missing = SETTINGS.map((s) => s.name).filter((n) => !n.startsWith('WEBSITE_') && !(n in example.Values));
    assert.deepEqual(missing, []);
    assert.equal(example.Values.FUNCTIONS_WORKER_RUNTIME, 'node');
  });
});
