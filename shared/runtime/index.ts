import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const startedAt = new Date();
const generatedId = `local-${randomUUID().slice(0, 8)}`;
let firstInvocationId: string | undefined;
let version: string | undefined;

/** Facts about this process that health and metrics report. */
export interface InstanceInfo {
  readonly id: string;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
}

export function instanceInfo(now: Date = new Date()): InstanceInfo {
  return {
    // Azure sets WEBSITE_INSTANCE_ID per instance; a generated id keeps local processes apart.
    id: process.env.WEBSITE_INSTANCE_ID?.slice(0, 16) || generatedId,
    startedAt: startedAt.toISOString(),
    uptimeSeconds: Math.round((now.getTime() - startedAt.getTime()) / 1000),
  };
}

/** Notes an invocation; the first one a process serves is its cold start. */
export function noteInvocation(invocationId: string): void {
  firstInvocationId ??= invocationId;
}

/** Whether `invocationId` was the first invocation of this process, i.e. it paid for the cold start. */
export function wasColdStart(invocationId: string): boolean {
  return firstInvocationId === invocationId;
}

/** The app version from package.json, found by walking up from this file (dist/ or source). */
export function appVersion(): string {
  if (version === undefined) {
    version = '0.0.0';
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? version;
        break;
      }
    }
  }
  return version;
}

export { type Clock, ManualClock, type Random, systemClock } from './clock';
export { currentInvocationLog, type InvocationLog, runInInvocation } from './invocation';
