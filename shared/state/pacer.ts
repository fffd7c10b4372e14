import { type Clock, systemClock } from '../runtime';
import type { RecordStore } from './record-store';

/**
 * The workspace's question schedule, one record shared by every instance. Shaped like a de-dup
 * record ({ at }) so it lives in the de-dup table and expires with it.
 */
export interface PaceValue {
  /** Epoch ms of the last write. */
  readonly at: number;
  /** Epoch ms of the next free slot for a question POST. */
  readonly nextFreeAt: number;
  /** The current spacing between slots: the base, or longer after Genie answered 429. */
  readonly intervalMs: number;
  /** When a 429 last slowed the pace: the other 429s of the same burst do not slow it again. */
  readonly slowedAt?: number;
}

/** A slot taken: when the question may be sent, and how many slots are taken before it. */
export interface Slot {
  readonly at: number;
  readonly ahead: number;
  /** The spacing the estimate used, for "Genie answers about N a minute". */
  readonly intervalMs: number;
}

export interface PacerOptions {
  readonly questionsPerMinute: number;
  readonly clock?: Clock;
  /** Longest spacing a run of 429s can reach, as a multiple of the base. @default 8 */
  readonly maxSlowdown?: number;
}

export class PacerContendedError extends Error {
  override readonly name = 'PacerContendedError';
}

const KEY = 'pace:workspace';
const MINUTE_MS = 60_000;
/**
 * How late after its slot a question may still be sent on it (a later one takes a new slot). The
 * schedule spreads N slots over a minute plus this, so Genie's N per sliding minute holds however
 * late within it each question is sent.
 */
export const SLOT_TOLERANCE_MS = 2_000;
/** Conditional writes lost in a row before taking a slot gives up (the queue retries the job): each round has a winner, so this many racers all get through. */
const MAX_CONFLICTS = 32;
/** An idle schedule is forgotten after this: the next question starts from the base pace. */
const IDLE_TTL_MS = 60 * 60_000;

/**
 * Questions to Genie at the workspace's pace, across instances (a GCRA-style schedule): taking a
 * slot moves "next free" on by one interval with an ETag-conditional write, so concurrent takers
 * get distinct slots. A 429 pushes the next slot past Retry-After and doubles the interval (once
 * per burst: the questions refused together slow it once); each slot taken afterwards brings it
 * back by a quarter of the base, so the pace recovers gradually.
 */
export class QuestionPacer {
  readonly baseIntervalMs: number;
  private readonly clock: Clock;
  private readonly maxIntervalMs: number;

  constructor(
    private readonly store: RecordStore<PaceValue>,
    options: PacerOptions,
  ) {
    this.baseIntervalMs = (MINUTE_MS + SLOT_TOLERANCE_MS) / options.questionsPerMinute;
    this.clock = options.clock ?? systemClock;
    this.maxIntervalMs = this.baseIntervalMs * (options.maxSlowdown ?? 8);
  }

  /** Takes the next slot. `ahead` estimates the questions before it from the slot distance. */
  take(): Promise<Slot> {
    return this.write((current, now) => {
      const intervalMs = current ? Math.max(this.baseIntervalMs, current.intervalMs - this.baseIntervalMs / 4) : this.baseIntervalMs;
      const at = Math.max(now, current?.nextFreeAt ?? now);
      return {
        value: {
          at: now,
          nextFreeAt: at + intervalMs,
          intervalMs,
          ...(current?.slowedAt !== undefined ? { slowedAt: current.slowedAt } : {}),
        },
        result: { at, ahead: Math.ceil((at - now) / intervalMs), intervalMs },
      };
    });
  }

  /** Genie refused a question (429): no slot before `retryAfterMs` from now, and a slower pace for a while. */
  slowDown(retryAfterMs: number): Promise<void> {
    return this.write((current, now) => {
      const interval = current?.intervalMs ?? this.baseIntervalMs;
      const lastSlowdown = current?.slowedAt;
      const sameBurst = lastSlowdown !== undefined && now - lastSlowdown < this.baseIntervalMs;
      const intervalMs = sameBurst ? interval : Math.min(this.maxIntervalMs, Math.max(this.baseIntervalMs, interval * 2));
      const nextFreeAt = Math.max(current?.nextFreeAt ?? now, now + retryAfterMs);
      return { value: { at: now, nextFreeAt, intervalMs, slowedAt: sameBurst ? lastSlowdown : now }, result: undefined };
    });
  }

  private async write<R>(next: (current: PaceValue | undefined, now: number) => { value: PaceValue; result: R }): Promise<R> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const now = this.clock.now();
      const current = await this.store.get(KEY);
      const { value, result } = next(current?.value, now);
      const expiresAt = Math.max(value.nextFreeAt, now) + IDLE_TTL_MS;
      const etag = current ? await this.store.replace(KEY, value, expiresAt, current.etag) : await this.store.insert(KEY, value, expiresAt);
      if (etag !== undefined) return result;
    }
    throw new PacerContendedError('pacer_contended');
  }
}
