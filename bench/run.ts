import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { answerLag } from './answer-lag';
import { coldStart } from './cold-start';
import { connections } from './connections';
import { type Benchmark, type Figure, ROOT } from './lib';
import { memoryAndLogs } from './memory';
import { network } from './network';
import { rendering } from './rendering';
import { throughput } from './throughput';
import { webhookAck } from './webhook';

const BENCHMARKS: [string, Benchmark][] = [
  ['webhook', webhookAck],
  ['answer-lag', answerLag],
  ['connections', connections],
  ['cold-start', coldStart],
  ['memory', memoryAndLogs],
  ['network', network],
  ['rendering', rendering],
  ['throughput', throughput],
];

function table(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.benchmark,
    f.measure,
    `${f.value} ${f.unit}`,
    f.reference !== undefined ? `${f.reference} (${f.referenceLabel ?? 'reference'})` : '',
    f.ratio ?? '',
    f.goal ? `${f.met ? 'met' : 'MISSED'}: ${f.goal}` : '',
  ]);
  const header = ['benchmark', 'measure', 'value', 'reference', 'ratio', 'goal'];
  return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** `npm run bench [-- --quick] [-- --only name,name]`: loopback only, bounded, prints a table, writes results/latest.json. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const started = Date.now();
  const figures: Figure[] = [];
  for (const [name, benchmark] of BENCHMARKS) {
    if (only && !only.includes(name)) continue;
    const t = Date.now();
    console.log(`[bench] ${name}…`);
    figures.push(...(await benchmark({ quick, log: (line) => console.log(`[bench]   ${line}`) })));
    console.log(`[bench] ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1073741824),
    platform: process.platform,
  };
  const result = { date: new Date().toISOString(), quick, durationSeconds: Math.round((Date.now() - started) / 1000), machine, figures };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', quick ? 'quick.json' : 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `\n${table(figures)}\n\n${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; ${result.durationSeconds} s${quick ? ' (quick)' : ''}`,
  );
  const missed = figures.filter((f) => f.goal && !f.met);
  if (missed.length) console.log(`\nGoals missed: ${missed.map((f) => `${f.benchmark} — ${f.measure}`).join('; ')}`);
  // Benchmarks report; they do not fail the build (goals are judged in docs/performance.md).
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
