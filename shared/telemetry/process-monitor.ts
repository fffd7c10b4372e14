import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

import type { ProcessFigures } from './metrics-document';

/** CPU time used (user + system) and the wall time it was read at, both in microseconds. */
export interface CpuSample {
  readonly cpuMicros: number;
  readonly atMicros: number;
}

const readProcessCpu = (): CpuSample => {
  const usage = process.cpuUsage();
  return { cpuMicros: usage.user + usage.system, atMicros: Number(process.hrtime.bigint() / 1000n) };
};

const percent = (from: CpuSample, to: CpuSample): number => {
  const wall = to.atMicros - from.atMicros;
  return wall > 0 ? Math.round(((to.cpuMicros - from.cpuMicros) / wall) * 1000) / 10 : 0;
};

/**
 * CPU share over a fixed trailing window, whoever reads it and however often: samples are taken
 * every `stepMs` and the oldest kept is `windowMs` old, so a read covers the window plus at most
 * one step. Reading stores nothing; two reads in a row give the same figure, not a reset one.
 */
export class CpuWindow {
  private readonly samples: CpuSample[];
  private readonly first: CpuSample;
  private readonly keep: number;

  constructor(first: CpuSample, windowMs: number, stepMs: number) {
    this.first = first;
    this.samples = [first];
    this.keep = Math.ceil(windowMs / stepMs) + 1;
  }

  add(sample: CpuSample): void {
    this.samples.push(sample);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  read(now: CpuSample): { percent: number; windowSeconds: number; sinceStartPercent: number } {
    const oldest = this.samples[0] ?? this.first;
    return {
      percent: percent(oldest, now),
      windowSeconds: Math.round((now.atMicros - oldest.atMicros) / 1e6),
      sinceStartPercent: percent(this.first, now),
    };
  }
}

/** The CPU window's length and sampling step. */
export const CPU_WINDOW_MS = 60_000;
export const CPU_STEP_MS = 10_000;

/**
 * Figures about this process (memory, CPU, event-loop delay): one monitor per process, started on
 * first use, its sampling timer unref'd so it never keeps the process alive.
 */
export class ProcessMonitor {
  private readonly cpu: CpuWindow;
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    // The window starts at process start (no CPU used yet), so early reads include start-up's cost.
    const now = readProcessCpu();
    this.cpu = new CpuWindow({ cpuMicros: 0, atMicros: now.atMicros - Math.round(process.uptime() * 1e6) }, CPU_WINDOW_MS, CPU_STEP_MS);
    this.cpu.add(now);
    this.loopDelay.enable();
    setInterval(() => this.cpu.add(readProcessCpu()), CPU_STEP_MS).unref();
  }

  figures(): ProcessFigures {
    const memory = process.memoryUsage();
    const cpu = this.cpu.read(readProcessCpu());
    const loopP99 = this.loopDelay.percentile(99) / 1e6;
    return {
      rssMb: Math.round(memory.rss / 104857.6) / 10,
      heapUsedMb: Math.round(memory.heapUsed / 104857.6) / 10,
      cpuPercent: cpu.percent,
      cpuWindowSeconds: cpu.windowSeconds,
      cpuPercentSinceStart: cpu.sinceStartPercent,
      eventLoopDelayP99Ms: loopP99 > 0 && Number.isFinite(loopP99) ? Math.round(loopP99 * 10) / 10 : null,
    };
  }
}

let shared: ProcessMonitor | undefined;

/** THE monitor of this process: process figures are the same whichever app asks. */
export function processMonitor(): ProcessMonitor {
  shared ??= new ProcessMonitor();
  return shared;
}
