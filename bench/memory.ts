import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { startFakeConnector } from '../dev/fake-connector';
import { spawnEmulator } from './emulator-process';
import { type Benchmark, type Figure, ratio, ROOT } from './lib';

interface ChildResult {
  baseline: { heapMb: number; rssMb: number };
  sessions: { heapMb: number; rssMb: number; entries: number; cap: number };
  questions: { checkpoints: Record<string, { heapMb: number; rssMb: number }>; answered: number; failed: number };
  logs: { ours: { lines: number; bytes: number }; seed: { lines: number; bytes: number } };
}

/**
 * 5. Memory: 100,000 distinct chats through the capped memory session store, and 5,000 / 10,000
 * answered questions through the app (its own process, emulator in another). 6. Log volume per
 * 1,000 questions at the default level vs the seed's pattern (detail block per query, stats every 100).
 */
export const memoryAndLogs: Benchmark = async ({ quick, log }) => {
  const emulator = await spawnEmulator();
  await emulator.script(
    '.*',
    {
      text: 'Revenue grew 4% to $1.25M.',
      steps: [
        { status: 'EXECUTING_QUERY', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 5 },
      ],
      queries: [{ title: 'Revenue', sql: 'SELECT region, revenue FROM sales', result: { generate: { rows: 12, columns: 4 } } }],
      suggestedQuestions: ['By region?', 'By month?'],
    },
    true,
  );
  const connector = await startFakeConnector({ keep: false });
  const questions = quick ? 2_000 : 10_000;
  // The memory store holds up to `cap` records per kind (default 10,000): capped below half the run
  // here, so the second half shows whether anything else grows once the store is full.
  const cap = questions / 5;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(ROOT, 'dist', 'bench', 'memory-child.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABRICKS_HOST: emulator.url,
      GENIE_SPACE_ID: emulator.spaceId,
      DATABRICKS_TOKEN: emulator.token,
      CONNECTOR_URL: connector.url,
      QUESTIONS: String(questions),
      SESSION_MEMORY_MAX_ENTRIES: String(cap),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
  await Promise.all([emulator.stop(), connector.close()]);
  const half = result.questions.checkpoints[String(questions / 2)]!;
  const full = result.questions.checkpoints[String(questions)]!;
  const growth = full.heapMb - half.heapMb;
  log(
    `memory: sessions ${result.sessions.heapMb} MB heap (${result.sessions.entries} entries); questions ${half.heapMb} → ${full.heapMb} MB`,
  );
  const { ours, seed } = result.logs;
  const fewer = 1 - ours.bytes / seed.bytes;
  return [
    { benchmark: '5 memory', measure: 'baseline heap / RSS', value: `${result.baseline.heapMb} / ${result.baseline.rssMb}`, unit: 'MB' },
    {
      benchmark: '5 memory',
      measure: `heap / RSS after 100,000 chats (store cap ${result.sessions.cap})`,
      value: `${result.sessions.heapMb} / ${result.sessions.rssMb}`,
      unit: 'MB',
      goal: `bounded: ≤ ${result.sessions.cap} entries`,
      met: result.sessions.entries <= result.sessions.cap,
    },
    {
      benchmark: '5 memory',
      measure: `heap / RSS after ${questions / 2} answered questions`,
      value: `${half.heapMb} / ${half.rssMb}`,
      unit: 'MB',
    },
    {
      benchmark: '5 memory',
      measure: `heap / RSS after ${questions} answered questions (${result.questions.answered} answered, ${result.questions.failed} failed; store cap ${cap})`,
      value: `${full.heapMb} / ${full.rssMb}`,
      unit: 'MB',
      goal: 'no growth between the two (≤ 5 MB heap)',
      met: growth <= 5,
    },
    {
      benchmark: '6 log volume',
      measure: 'log lines / bytes per 1,000 questions (LOG_LEVEL=info)',
      value: `${ours.lines} / ${ours.bytes}`,
      unit: 'lines / bytes',
      reference: `${seed.lines} / ${seed.bytes}`,
      referenceLabel: 'seed pattern',
      ratio: ratio(ours.bytes, seed.bytes, 'lower'),
      goal: '≥ 99% fewer bytes',
      met: fewer >= 0.99,
    },
  ] satisfies Figure[];
};
