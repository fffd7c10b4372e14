import type { Random } from '../runtime';

/** Statuses after which a message changes no more (QUERY_RESULT_EXPIRED needs execute-query). */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'QUERY_RESULT_EXPIRED']);

export interface PhaseCadence {
  /** Interval when the phase begins. */
  readonly initialMs: number;
  /** Added per second spent in the phase: the longer it lasts, the less likely the next second ends it. */
  readonly slopeMsPerSecond: number;
  readonly maxMs: number;
}

/**
 * When to look at a message again. Genie reports where it is: while the SQL runs
 * (EXECUTING_QUERY) the answer is seconds away, so we look often; while a warehouse starts it may
 * be minutes, so we do not; otherwise (thinking, and any status we do not know) in between. Within
 * a phase the interval grows with the time spent in it, capped well under the guidance's 1 min.
 */
export interface PollSchedule {
  /** First look after asking. @default 1000 */
  readonly firstPollMs: number;
  /** @default { initialMs: 1000, slopeMsPerSecond: 50, maxMs: 3000 } */
  readonly thinking: PhaseCadence;
  /** @default { initialMs: 2000, slopeMsPerSecond: 100, maxMs: 5000 } */
  readonly warehouse: PhaseCadence;
  /** @default { initialMs: 500, slopeMsPerSecond: 100, maxMs: 2000 } */
  readonly executing: PhaseCadence;
  /** ± share of each interval, so many waiting questions do not poll in lockstep. @default 0.1 */
  readonly jitter: number;
}

export const DEFAULT_POLL_SCHEDULE: PollSchedule = Object.freeze({
  firstPollMs: 1000,
  thinking: { initialMs: 1000, slopeMsPerSecond: 50, maxMs: 3000 },
  warehouse: { initialMs: 2000, slopeMsPerSecond: 100, maxMs: 5000 },
  executing: { initialMs: 500, slopeMsPerSecond: 100, maxMs: 2000 },
  jitter: 0.1,
});

export function phaseOf(status: string | undefined): 'thinking' | 'warehouse' | 'executing' {
  if (status === 'EXECUTING_QUERY') return 'executing';
  if (status === 'PENDING_WAREHOUSE') return 'warehouse';
  return 'thinking';
}

/** The wait before the next GET, given the current status and how long it has held. */
export function nextPollDelay(schedule: PollSchedule, status: string | undefined, msInPhase: number, random: Random): number {
  const cadence = schedule[phaseOf(status)];
  const base = Math.min(cadence.maxMs, cadence.initialMs + (cadence.slopeMsPerSecond * msInPhase) / 1000);
  return Math.round(base * (1 + schedule.jitter * (2 * random() - 1)));
}
