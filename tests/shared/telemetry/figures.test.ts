import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ManualClock } from '../../../shared/runtime';
import { CPU_STEP_MS, CPU_WINDOW_MS, type CpuSample, CpuWindow, createLogger, Telemetry } from '../../../shared/telemetry';

const quiet = () => createLogger('error', () => undefined);

describe('question figures per instance', () => {
  it('counts what each instance did when the webhook and the worker run on different instances', async () => {
    const webhookInstance = new Telemetry({ logger: quiet(), clock: new ManualClock(0) });
    const workerInstance = new Telemetry({ logger: quiet(), clock: new ManualClock(0) });
    webhookInstance.questionAccepted();
    webhookInstance.questionAccepted();

    let during: number | undefined;
    await workerInstance.answerAttempt(undefined, async () => {
      during = (await workerInstance.snapshot(false)).questions.answering;
      workerInstance.questionFinished('answered', 'none', 2_000, 1_500);
    });
    await assert.rejects(
      workerInstance.answerAttempt(undefined, () => Promise.reject(new Error('Genie unreachable'))),
      /Genie unreachable/,
    );
    await workerInstance.answerAttempt(undefined, () => {
      workerInstance.questionFinished('failed', 'timeout', 9_000);
      return Promise.resolve();
    });

    const webhook = (await webhookInstance.snapshot(false)).questions;
    assert.deepEqual(webhook, {
      accepted: 2,
      answering: 0,
      answered: 0,
      clarification: 0,
      failed: 0,
      successRate: null,
      failuresByReason: {},
    });
    assert.equal(during, 1, 'an attempt in progress counts as answering on the instance running it');
    const worker = (await workerInstance.snapshot(false)).questions;
    assert.deepEqual(worker, {
      accepted: 0,
      answering: 0,
      answered: 1,
      clarification: 0,
      failed: 1,
      successRate: 0.5,
      failuresByReason: { timeout: 1 },
    });
  });
});

describe('CPU window', () => {
  const at = (seconds: number, cpuSeconds: number): CpuSample => ({ atMicros: seconds * 1e6, cpuMicros: cpuSeconds * 1e6 });

  it('gives the same figure to reads in a row: reading does not move the window', () => {
    const window = new CpuWindow(at(0, 0), CPU_WINDOW_MS, CPU_STEP_MS);
    window.add(at(10, 5));
    const first = window.read(at(12, 5.2));
    const second = window.read(at(12, 5.2));
    assert.deepEqual(second, first);
    assert.deepEqual(first, { percent: 43.3, windowSeconds: 12, sinceStartPercent: 43.3 });
  });

  it('covers the last minute once the process is older, and the whole life before', () => {
    const window = new CpuWindow(at(0, 0), CPU_WINDOW_MS, CPU_STEP_MS);
    // Busy (one core) for the first 60 s, then idle.
    for (let s = 10; s <= 60; s += 10) window.add(at(s, s));
    assert.deepEqual(window.read(at(60, 60)), { percent: 100, windowSeconds: 60, sinceStartPercent: 100 });
    for (let s = 70; s <= 120; s += 10) window.add(at(s, 60));
    const idle = window.read(at(125, 60));
    assert.equal(idle.percent, 0, 'the busy minute has left the window');
    assert.equal(idle.windowSeconds, 65, 'the window is a minute plus at most one sampling step');
    assert.equal(idle.sinceStartPercent, 48);
  });
});
