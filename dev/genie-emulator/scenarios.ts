import type { ScriptedAnswer, ScriptedStep } from './types';

/** Statuses after which a message no longer changes by itself. */
export const FINAL_STATUSES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'QUERY_RESULT_EXPIRED'];

/** What a FAILED message says when its script gave no error. */
export const DEFAULT_ERROR = { type: 'RETRYABLE_PROCESSING_EXCEPTION', message: 'Genie could not process the request (emulated failure).' };

/**
 * The default status path. EXECUTING_QUERY only appears when there is a query to execute, as with
 * Genie; an answer with an error ends FAILED instead of COMPLETED.
 */
export function defaultSteps(answer: ScriptedAnswer): ScriptedStep[] {
  const steps: ScriptedStep[] = [
    { status: 'SUBMITTED', afterMs: 0 },
    { status: 'FETCHING_METADATA', afterMs: 50 },
    { status: 'ASKING_AI', afterMs: 100 },
  ];
  if (answer.queries?.length) steps.push({ status: 'EXECUTING_QUERY', afterMs: 200 });
  steps.push({ status: answer.error ? 'FAILED' : 'COMPLETED', afterMs: 300 });
  return steps;
}

type Matcher = (content: string) => boolean;

interface Entry {
  readonly matches: Matcher;
  readonly answer: ScriptedAnswer;
  /** Demo entries survive reset(). */
  readonly demo: boolean;
  /** Shown in the fallback answer's list when the match is a plain string. */
  readonly label?: string;
}

/** Trimmed, case-insensitive equality: the contract of script(string). */
export function exactly(match: string): Matcher {
  const expected = match.trim().toLowerCase();
  return (content) => content.trim().toLowerCase() === expected;
}

/** A regex without the g/y flags, so repeated test() calls do not depend on lastIndex. */
export function matching(pattern: RegExp): Matcher {
  const stateless = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  return (content) => stateless.test(content);
}

/** Scripted answers, newest first: later scripts win over earlier ones and over the demo. */
export class ScriptBook {
  private entries: Entry[] = [];

  add(matches: Matcher, answer: ScriptedAnswer, options: { demo?: boolean; label?: string } = {}): void {
    this.entries.push({ matches, answer, demo: options.demo ?? false, ...(options.label !== undefined ? { label: options.label } : {}) });
  }

  find(content: string): ScriptedAnswer | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry?.matches(content)) return entry.answer;
    }
    return undefined;
  }

  /** Plain-string questions the book can answer (demo ones first), for the fallback answer. */
  labels(): string[] {
    return [...new Set(this.entries.flatMap((e) => (e.label !== undefined ? [e.label] : [])))];
  }

  clearScripts(): void {
    this.entries = this.entries.filter((e) => e.demo);
  }
}

/** A step placed on the emulator clock. */
export interface TimedStep {
  readonly status: string;
  readonly at: number;
}

export function timeline(steps: readonly ScriptedStep[], createdAt: number, timeScale: number): TimedStep[] {
  return steps.map((s) => ({ status: s.status, at: createdAt + s.afterMs * timeScale }));
}

/** Index of the step visible at `now` (ties: the later step), or -1 before the first one. */
export function stepIndexAt(steps: readonly TimedStep[], now: number): number {
  let index = -1;
  for (let i = 0; i < steps.length; i++) {
    if ((steps[i]?.at ?? Infinity) <= now) index = i;
    else break;
  }
  return index;
}

/**
 * How many of `queryCount` query attachments are visible once `reached` steps have been reached:
 * the n-th EXECUTING_QUERY step reveals the n-th query (Genie correcting itself shows its attempts
 * one by one); the last EXECUTING_QUERY step, or a final COMPLETED / QUERY_RESULT_EXPIRED, reveals them all.
 */
export function visibleQueryCount(steps: readonly TimedStep[], reachedIndex: number, queryCount: number): number {
  if (queryCount === 0 || reachedIndex < 0) return 0;
  const total = steps.filter((s) => s.status === 'EXECUTING_QUERY').length;
  const reached = steps.slice(0, reachedIndex + 1).filter((s) => s.status === 'EXECUTING_QUERY').length;
  const final = reachedIndex === steps.length - 1 ? steps[reachedIndex]?.status : undefined;
  if (final === 'COMPLETED' || final === 'QUERY_RESULT_EXPIRED') return queryCount;
  if (reached === 0) return 0;
  return reached >= total ? queryCount : Math.min(reached, queryCount);
}
