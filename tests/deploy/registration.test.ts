import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Metafile } from 'esbuild';

import { DEPLOY_DIR, METAFILE, ROOT } from '../../dev/build-deploy';
import { appEntry } from '../../dev/function-loader';
import type { WorkerLoadResult } from '../../dev/worker-load';

/** Packages that must not load before the first request (each costs tens to hundreds of ms). */
const HEAVY = [
  'botbuilder',
  'botframework-connector',
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/msal-node',
  '@azure/monitor-opentelemetry',
  '@opentelemetry/sdk-node',
  'axios',
  'agentkeepalive',
];

/** The bindings each function must register with: what the host and Azure see. */
const EXPECTED = {
  messages: { type: 'httpTrigger', route: 'messages', authLevel: 'anonymous', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
  health: { type: 'httpTrigger', route: 'health', authLevel: 'anonymous', methods: ['GET'] },
  metrics: { type: 'httpTrigger', route: 'metrics', authLevel: 'function', methods: ['GET'] },
  answer: { type: 'queueTrigger', queueName: 'genie-questions', connection: 'AzureWebJobsStorage' },
  'answer-poison': { type: 'queueTrigger', queueName: 'genie-questions-poison', connection: 'AzureWebJobsStorage' },
  sweep: { type: 'timerTrigger', schedule: '0 */5 * * * *' },
} as const;

function loadLikeTheWorker(entry: string): WorkerLoadResult {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'dev', 'worker-load.js'), entry], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as WorkerLoadResult;
}

function trigger(result: WorkerLoadResult, name: string): Record<string, unknown> {
  const bindings = Object.values(result.registered[name]?.bindings ?? {});
  const found = bindings.find((b) => String(b.type).endsWith('Trigger'));
  assert.ok(found, `${name} registers a trigger`);
  return found;
}

describe('deploy/: the artifact that ships, loaded as the Functions worker loads it', () => {
  let copy: string;
  let bundled: WorkerLoadResult;
  let unbundled: WorkerLoadResult;
  const meta = JSON.parse(readFileSync(METAFILE, 'utf8')) as Metafile;

  before(() => {
    // A copy far from the repo's node_modules: anything not inside the bundle would fail to load.
    copy = mkdtempSync(join(tmpdir(), 'deploy-copy-'));
    cpSync(DEPLOY_DIR, copy, { recursive: true });
    bundled = loadLikeTheWorker(appEntry(copy));
    unbundled = loadLikeTheWorker(join(ROOT, 'dist', 'functions', 'index.js'));
  });
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('registers every function with the expected trigger, route, auth level, queue and schedule', () => {
    assert.deepEqual(Object.keys(bundled.registered).sort(), Object.keys(EXPECTED).sort());
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const actual = trigger(bundled, name);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(actual[key], value, `${name}.${key}`);
    }
  });

  it('registers exactly what the unbundled build registers', () => {
    assert.deepEqual(bundled.registered, unbundled.registered);
  });

  it('loads no heavy package at registration, and nothing from outside deploy/', () => {
    const loaded = new Set(bundled.loadedFiles.filter((f) => f.startsWith(copy)).map((f) => basename(f)));
    assert.ok(loaded.has('index.mjs'), 'the entry was loaded');
    const outside = bundled.loadedFiles.filter((f) => !f.startsWith(copy) && !f.endsWith('worker-load.js'));
    assert.deepEqual(outside, [], 'every loaded file is in the deployed folder');
    const packagesLoaded = new Set<string>();
    for (const [output, info] of Object.entries(meta.outputs)) {
      if (!loaded.has(basename(output))) continue;
      for (const input of Object.keys(info.inputs)) {
        const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
        if (match) packagesLoaded.add(match[1]!);
      }
    }
    assert.ok(packagesLoaded.has('@azure/functions'), 'the functions library is part of registration');
    assert.deepEqual(HEAVY.filter((p) => packagesLoaded.has(p)), []);
  });

  it('the unbundled build, by contrast, is what the test can see loading packages (the check works)', () => {
    const packages = new Set(unbundled.loadedFiles.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean));
    assert.ok(packages.has('@azure/functions'));
    assert.deepEqual(HEAVY.filter((p) => packages.has(p)), []);
  });

  it('holds only what ships: package.json naming the entry, host.json equal to the project one, the chunks', () => {
    const pkg = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.dependencies, undefined, 'nothing to install');
    assert.deepEqual(JSON.parse(readFileSync(join(copy, 'host.json'), 'utf8')), JSON.parse(readFileSync(join(ROOT, 'host.json'), 'utf8')));
  });
});
