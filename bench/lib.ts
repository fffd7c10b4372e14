import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

import type { Clock } from '../shared/runtime';

export const ROOT = join(__dirname, '..', '..');

/** One row of the printed table and of results/latest.json. */
export interface Figure {
  readonly benchmark: string;
  readonly measure: string;
  readonly value: number | string;
  readonly unit: string;
  readonly reference?: number | string;
  readonly referenceLabel?: string;
  /** value / reference, or how many times better; filled by `ratio`. */
  readonly ratio?: string;
  readonly goal?: string;
  readonly met?: boolean;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

export type Benchmark = (context: BenchContext) => Promise<Figure[]>;

export function percentile(values: readonly number[], q: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A clock whose time runs `1/scale` times faster than the wall clock: sleeping 10 s of its time
 * takes 10 s × scale of real time. Paired with the emulator's timeScale, a 90 s answer takes
 * seconds, and every schedule keeps its shape.
 */
export class ScaledClock implements Clock {
  private readonly origin = performance.now();
  constructor(readonly scale: number) {}
  now(): number {
    return (performance.now() - this.origin) / this.scale;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms * this.scale));
  }
}

export interface DevHostProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Real ms from spawn to the "ready" line. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

/** `node dist/dev/main.js` as its own process (like the Functions worker), on a free loopback port. */
export async function spawnDevHost(env: Record<string, string>): Promise<DevHostProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'dev', 'main.js')], {
    // One simulated user asks thousands of questions: the per-person rate is set out of the way (still checked).
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      USER_QUESTIONS_PER_MINUTE: '100000',
      GENIE_QUESTIONS_PER_MINUTE: '60000',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const readyMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev host not ready: ${output.slice(-500)}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('[dev] ready on')) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`dev host exited (${code}): ${output.slice(-500)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    readyMs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** Runs `task` for each item with at most `concurrency` in flight. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}

export function ratio(ours: number, reference: number, better: 'lower' | 'higher'): string {
  if (!Number.isFinite(ours) || !Number.isFinite(reference) || ours === 0 || reference === 0) return '';
  const times = better === 'lower' ? reference / ours : ours / reference;
  return `${round(times, 1)}×`;
}

/**
 * The sender of the n-th question in a burst: a different person each, as a real burst is many
 * people at once (one person's 20 parallel questions would measure the per-person rate record's
 * write contention instead).
 */
export function aPerson(n: number): { userId: string; aadObjectId: string } {
  return { userId: `29:person-${n}`, aadObjectId: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` };
}
