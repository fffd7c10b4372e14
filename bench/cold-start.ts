import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { DEPLOY_DIR } from '../dev/build-deploy';
import { startFakeConnector, userMessage } from '../dev/fake-connector';
import { startGenieEmulator } from '../dev/genie-emulator';
import type { WorkerLoadResult } from '../dev/worker-load';
import { type Benchmark, type Figure, median, ratio, ROOT, round, spawnDevHost } from './lib';

/** Files and bytes under `dir`. */
function footprint(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

/**
 * What `npm ci --omit=dev` would put on the instance for the unbundled build, without installing:
 * every production package folder npm lists, plus dist/.
 */
function unbundledFootprint(): { files: number; bytes: number } {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const folders = out.split('\n').filter((line) => line.includes('node_modules'));
  // Nested packages sit inside their parents' folders: count each file once.
  const outermost = folders.filter((folder) => !folders.some((other) => other !== folder && folder.startsWith(`${other}/`)));
  const total = { files: 0, bytes: 0 };
  for (const folder of [...outermost, join(ROOT, 'dist')]) {
    const { files, bytes } = footprint(folder);
    total.files += files;
    total.bytes += bytes;
  }
  return total;
}

/** Registration as the Functions worker does it, in a fresh process: ms to import the entry. */
function registrationMs(entry: string): number {
  const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'dev', 'worker-load.js'), entry, '--time-only'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out.trim().split('\n').at(-1)!) as WorkerLoadResult).importMs;
}

const MB = 1024 * 1024;

/**
 * 4. Cold start, side by side in one run: deploy/ (the esbuild bundle that ships) against the
 * unbundled build of the same sources (dist/ with node_modules). Size and file count of what an
 * instance mounts; time to register every function in a fresh process; and a dev host process
 * from spawn to the first question acknowledged and to the first answer sent (Genie emulated with
 * zero latency).
 */
export const coldStart: Benchmark = async ({ quick, log }) => {
  const figures: Figure[] = [];
  const bundle = footprint(DEPLOY_DIR);
  const unbundled = unbundledFootprint();
  figures.push(
    {
      benchmark: '4 cold start',
      measure: 'deployed size (deploy/ vs dist/ + npm ci --omit=dev)',
      value: round(bundle.bytes / MB),
      unit: 'MB',
      reference: round(unbundled.bytes / MB),
      referenceLabel: 'unbundled',
      ratio: ratio(bundle.bytes, unbundled.bytes, 'lower'),
      goal: '≤ 25 MB',
      met: bundle.bytes <= 25 * MB,
    },
    {
      benchmark: '4 cold start',
      measure: 'deployed files',
      value: bundle.files,
      unit: 'files',
      reference: unbundled.files,
      referenceLabel: 'unbundled',
      ratio: ratio(bundle.files, unbundled.files, 'lower'),
      goal: '≤ 200 files',
      met: bundle.files <= 200,
    },
  );

  // Interleaved, so that whatever else the machine does weighs on both alike.
  const bundledMs: number[] = [];
  const unbundledMs: number[] = [];
  for (let i = 0; i < (quick ? 5 : 15); i++) {
    bundledMs.push(registrationMs(join(DEPLOY_DIR, 'dist', 'index.mjs')));
    unbundledMs.push(registrationMs(join(ROOT, 'dist', 'functions', 'index.js')));
  }
  const [ours, reference] = [median(bundledMs), median(unbundledMs)];
  log(`registration: bundled ${round(ours)} ms, unbundled ${round(reference)} ms`);
  figures.push({
    benchmark: '4 cold start',
    measure: 'register every function in a fresh process (median, as the worker loads the entry)',
    value: round(ours),
    unit: 'ms',
    reference: round(reference),
    referenceLabel: 'unbundled',
    ratio: ratio(ours, reference, 'lower'),
    // The issue's ≥ 5× goal was set against v0.1's build, whose function files loaded 67 packages; the
    // unbundled build of today's sources no longer does. That comparison is in docs/performance.md.
  });

  const genie = await startGenieEmulator({ demo: false });
  genie.script(/.*/, { text: 'first answer', steps: [{ status: 'COMPLETED', afterMs: 0 }] });
  const connector = await startFakeConnector();
  for (const [label, appDir] of [
    ['deploy/', DEPLOY_DIR],
    ['unbundled', ROOT],
  ] as const) {
    const toAck: number[] = [];
    const toAnswer: number[] = [];
    for (let i = 0; i < (quick ? 1 : 5); i++) {
      const conversationId = `a:cold-${label}-${i}`;
      const started = performance.now();
      const host = await spawnDevHost({
        DATABRICKS_HOST: genie.url,
        GENIE_SPACE_ID: genie.spaceId,
        DATABRICKS_TOKEN: genie.token,
        STATUS_MESSAGE_DELAY_SECONDS: '0',
        DEV_APP_DIR: appDir,
      });
      const response = await fetch(`${host.url}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(userMessage(connector.url, 'first', { conversationId })),
      });
      if (response.status !== 200) throw new Error(`first question answered ${response.status}`);
      toAck.push(performance.now() - started);
      await connector.waitFor(
        () => connector.messages(conversationId).some((m) => JSON.stringify(m.activity).includes('first answer')),
        30_000,
      );
      toAnswer.push(performance.now() - started);
      await host.stop();
    }
    log(`${label}: first ack ${round(median(toAck))} ms, first answer ${round(median(toAnswer))} ms`);
    figures.push(
      {
        benchmark: '4 cold start',
        measure: `${label}: process start → first question acknowledged`,
        value: round(median(toAck)),
        unit: 'ms',
      },
      {
        benchmark: '4 cold start',
        measure: `${label}: process start → first answer sent (zero-latency Genie)`,
        value: round(median(toAnswer)),
        unit: 'ms',
      },
    );
  }
  await Promise.all([genie.close(), connector.close()]);
  return figures;
};
