import { readConfig } from '../config';
import { appVersion, instanceInfo } from '../runtime';

export interface HealthReport {
  readonly status: 'ok' | 'misconfigured';
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly instanceId: string;
  readonly config: {
    readonly complete: boolean;
    /** Setting names only: values (some are secrets) never leave the process. */
    readonly missing: readonly string[];
    readonly invalid: readonly string[];
  };
}

/** Cheap by design: reads configuration and process facts, loads no SDK, calls nothing remote. */
export function describeHealth(now: Date = new Date()): HealthReport {
  const result = readConfig();
  const problems = result.ok ? [] : result.problems;
  const instance = instanceInfo(now);
  return {
    status: result.ok ? 'ok' : 'misconfigured',
    version: appVersion(),
    uptimeSeconds: instance.uptimeSeconds,
    instanceId: instance.id,
    config: {
      complete: result.ok,
      missing: [...new Set(problems.filter((p) => p.kind === 'missing').map((p) => p.setting))],
      invalid: [...new Set(problems.filter((p) => p.kind === 'invalid').map((p) => p.setting))],
    },
  };
}
