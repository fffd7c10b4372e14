import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { CONFIGURATION_DOC, withSettingsTable } from '../../../dev/config-docs';
import { SETTINGS } from '../../../shared/config';

const ROOT = join(__dirname, '..', '..', '..', '..');
const documented = new Set(SETTINGS.map((s) => s.name));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Setting names the code reads: through the config reader, or process.env directly. */
function namesReadByCode(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\b(?:raw|required|number|boolean|choice|has|missing|invalid|requiredUnlessReported)\(\s*(?:r,\s*)?'([A-Za-z_]+)'/g,
    /process\.env\.([A-Za-z_]+)/g,
    /process\.env\[['"]([A-Za-z_]+)['"]\]/g,
  ];
  for (const file of [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'functions'))]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  return names;
}

describe('settings list', () => {
  it('documents every setting the code reads', () => {
    const read = namesReadByCode();
    assert.ok(read.has('DATABRICKS_HOST') && read.has('HTTP_READ_TIMEOUT_MS'), 'the scan finds settings');
    // Identity-based storage settings are variants of AzureWebJobsStorage, documented there.
    const undocumented = [...read].filter((n) => !documented.has(n) && !n.startsWith('AzureWebJobsStorage__'));
    assert.deepEqual(undocumented, []);
  });

  it('keeps docs/configuration.md in step with the list (run npm run docs:config)', () => {
    const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
    assert.equal(doc, withSettingsTable(doc));
  });

  it('puts every user setting in local.settings.json.example', () => {
    const example = JSON.parse(readFileSync(join(ROOT, 'local.settings.json.example'), 'utf8')) as { Values: Record<string, string> };
    const missing = SETTINGS.map((s) => s.name).filter((n) => !n.startsWith('WEBSITE_') && !(n in example.Values));
    assert.deepEqual(missing, []);
    assert.equal(example.Values.FUNCTIONS_WORKER_RUNTIME, 'node');
  });
});
