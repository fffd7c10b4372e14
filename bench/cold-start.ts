import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { startFakeConnector, userMessage } from '../dev/fake-connector';
import { startGenieEmulator } from '../dev/genie-emulator';
import { type Benchmark, type Figure, median, ROOT, round, spawnDevHost } from './lib';

/** Wall time of `require(module)` in a fresh Node process, and whether it pulled in heavy SDKs. */
function importCost(modules: string[]): { ms: number; botbuilder: boolean; telemetry: boolean } {
  const script = `
    const t = process.hrtime.bigint();
    for (const m of ${JSON.stringify(modules)}) require(m);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const loaded = Object.keys(require.cache);
    console.log(JSON.stringify({ ms, botbuilder: loaded.some((f) => f.includes('/node_modules/botbuilder/')), telemetry: loaded.some((f) => f.includes('/node_modules/@azure/monitor-opentelemetry/')) }));`;
  // The functions package prints a "test mode" warning outside the host; it goes to stderr.
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { ms: number; botbuilder: boolean; telemetry: boolean };
}

/**
 * 4. Cold start: dev host process start → first /api/health 200, and → first question
 * acknowledged; plus the import cost of each function file as the Functions host loads them.
 */
export const coldStart: Benchmark = async ({ quick, log }) => {
  const figures: Figure[] = [];
  const genie = await startGenieEmulator({ demo: false });
  const connector = await startFakeConnector();
  const toHealth: number[] = [];
  const toAck: number[] = [];
  for (let i = 0; i < (quick ? 1 : 5); i++) {
    const started = performance.now();
    const host = await spawnDevHost({ DATABRICKS_HOST: genie.url, GENIE_SPACE_ID: genie.spaceId, DATABRICKS_TOKEN: genie.token });
    for (;;) {
      const response = await fetch(`${host.url}/api/health`).catch(() => undefined);
      if (response?.status === 200) break;
    }
    toHealth.push(performance.now() - started);
    const response = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(userMessage(connector.url, 'first', { conversationId: `a:cold-${i}` })),
    });
    if (response.status !== 200) throw new Error(`first question answered ${response.status}`);
    toAck.push(performance.now() - started);
    await host.stop();
  }
  log(`cold start: health ${round(median(toHealth))} ms, first ack ${round(median(toAck))} ms`);
  figures.push(
    { benchmark: '4 cold start', measure: 'process start → first /api/health 200 (dev host)', value: round(median(toHealth)), unit: 'ms' },
    { benchmark: '4 cold start', measure: 'process start → first question acknowledged', value: round(median(toAck)), unit: 'ms' },
  );

  const functions = ['health', 'messages', 'metrics', 'answer', 'answer-poison', 'sweep'].map((f) => join(ROOT, 'dist', 'functions', `${f}.js`));
  const all = importCost(functions);
  figures.push({
    benchmark: '4 cold start',
    measure: 'import all function files (what the host loads at start)',
    value: round(all.ms),
    unit: 'ms',
    goal: 'no botbuilder or telemetry SDK loaded',
    met: !all.botbuilder && !all.telemetry,
  });
  for (const file of functions.slice(0, 2)) {
    figures.push({ benchmark: '4 cold start', measure: `import functions/${file.split('/').pop()}`, value: round(importCost([file]).ms), unit: 'ms' });
  }
  for (const [label, module] of [
    ['the app root (first message pays this once)', join(ROOT, 'dist', 'shared', 'app', 'index.js')],
    ['botbuilder alone', 'botbuilder'],
    ['@azure/monitor-opentelemetry alone (only with a connection string)', '@azure/monitor-opentelemetry'],
  ] as const) {
    figures.push({ benchmark: '4 cold start', measure: `import ${label}`, value: round(importCost([module]).ms), unit: 'ms' });
  }
  await Promise.all([genie.close(), connector.close()]);
  return figures;
};
