import { type Clock, systemClock } from '../runtime';
import type { RecordStore } from './record-store';

/**
 * The workspace's question schedule, one record shared by every instance. Shaped like a de-dup
 * record ({ at }) so it lives in the de-dup table and expires with it.
 */
export interface PaceValue {
  /** Epoch ms of the last write. */
  readonly at: number;
  /** The latest slots given, ascending; at most one minute's worth (none older than a window). */
  readonly slots: readonly number[];
  /** No slot before this: the Retry-After of Genie's last 429. */
  readonly notBefore: number;
  /** Least spacing between slots: 0 at the normal pace, longer for a while after a 429. */
  readonly spacingMs: number;
  /** When a 429 last slowed the pace: the other 429s of the same burst do not slow it again. */
  readonly slowedAt?: number;
}

/** A slot taken: when the question may be sent, and how many slots are taken before it. */
export interface Slot {
  readonly at: number;
  readonly ahead: number;
  /** The average spacing at the current pace, for "Genie answers about N a minute". */
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
/** The span no more than N questions may share. */
const WINDOW_MS = MINUTE_MS + SLOT_TOLERANCE_MS;
/** Above this many questions a minute the schedule spaces slots evenly instead of keeping a minute's slots. */
export const MAX_TRACKED_SLOTS = 120;
/** Conditional writes lost in a row before taking a slot gives up (the queue retries the job): each round has a winner, so this many racers all get through. */
const MAX_CONFLICTS = 32;
/** An idle schedule is forgotten after this: the next question starts from the base pace. */
const IDLE_TTL_MS = 60 * 60_000;

/**
 * Questions to Genie at the workspace's pace, across instances, with ETag-conditional writes so
 * concurrent takers get distinct slots. The promise is Genie's own: at most N questions in any
 * minute. So a burst may use a whole minute's N at once (an idle bot answers the first N people
 * without a wait), and the next slot is the one a minute plus SLOT_TOLERANCE_MS after the N-th
 * latest. Past MAX_TRACKED_SLOTS a minute the record would grow too large: slots are then spaced
 * evenly (a window / N apart), which keeps the same promise without bursts. A 429 pushes the next
 * slot past Retry-After and spaces slots twice the base apart, or twice the current spacing (once
 * per burst: questions refused together slow it once; at most 8× the base); each slot taken
 * afterwards brings the spacing back by a quarter of the base, and below the base bursts are
 * allowed again.
 */
export class QuestionPacer {
  /** The average spacing at Genie's pace: a minute plus the send tolerance, over N. */
  readonly baseIntervalMs: number;
  private readonly clock: Clock;
  private readonly maxSpacingMs: number;
  /** Whether the schedule keeps a minute's slots (small N), or spaces evenly (large N). */
  private readonly windowed: boolean;
  private readonly perMinute: number;

  constructor(
    private readonly store: RecordStore<PaceValue>,
    options: PacerOptions,
  ) {
    this.perMinute = options.questionsPerMinute;
    this.baseIntervalMs = WINDOW_MS / options.questionsPerMinute;
    this.clock = options.clock ?? systemClock;
    this.maxSpacingMs = this.baseIntervalMs * (options.maxSlowdown ?? 8);
    this.windowed = options.questionsPerMinute <= MAX_TRACKED_SLOTS;
  }

  /** Takes the next slot, and says how many questions are ahead of it (0 when it may go now). */
  take(): Promise<Slot> {
    return this.write((current, now) => {
      const slots = (current?.slots ?? []).filter((at) => at > now - WINDOW_MS);
      const spacing = current?.spacingMs ?? this.evenSpacingMs;
      const last = slots.at(-1);
      const at = Math.max(
        now,
        current?.notBefore ?? now,
        last !== undefined ? last + spacing : now,
        this.windowed && slots.length >= this.perMinute ? slots[slots.length - this.perMinute]! + WINDOW_MS : now,
      );
      const recovered = spacing - this.baseIntervalMs / 4;
      const spacingMs = recovered < this.baseIntervalMs ? this.evenSpacingMs : recovered;
      const kept = [...slots, at].slice(-Math.min(this.perMinute, MAX_TRACKED_SLOTS));
      return {
        value: {
          at: now,
          slots: kept,
          notBefore: current?.notBefore ?? now,
          spacingMs,
          ...(current?.slowedAt !== undefined ? { slowedAt: current.slowedAt } : {}),
        },
        // Ahead: the questions still waiting for earlier slots, and the one whose slot this waits behind.
        result: {
          at,
          ahead: at > now ? slots.filter((slot) => slot > now).length + 1 : 0,
          intervalMs: Math.max(this.baseIntervalMs, spacing),
        },
      };
    });
  }

  /** Genie refused a question (429): no slot before `retryAfterMs` from now, and a slower pace for a while. */
  slowDown(retryAfterMs: number): Promise<void> {
    return this.write((current, now) => {
      const spacing = current?.spacingMs ?? this.evenSpacingMs;
      const lastSlowdown = current?.slowedAt;
      const sameBurst = lastSlowdown !== undefined && now - lastSlowdown < this.baseIntervalMs;
      const spacingMs = sameBurst ? spacing : Math.min(this.maxSpacingMs, Math.max(2 * this.baseIntervalMs, spacing * 2));
      const notBefore = Math.max(current?.notBefore ?? now, now + retryAfterMs);
      return {
        value: { at: now, slots: current?.slots ?? [], notBefore, spacingMs, slowedAt: sameBurst ? lastSlowdown : now },
        result: undefined,
      };
    });
  }

  /** The spacing at the normal pace: none when a minute's slots are kept, else a window / N. */
  private get evenSpacingMs(): number {
    return this.windowed ? 0 : this.baseIntervalMs;
  }

  private async write<R>(next: (current: PaceValue | undefined, now: number) => { value: PaceValue; result: R }): Promise<R> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const now = this.clock.now();
      const current = await this.store.get(KEY);
      const { value, result } = next(current?.value, now);
      const expiresAt = Math.max(value.slots.at(-1) ?? now, value.notBefore, now) + IDLE_TTL_MS;
      const etag = current ? await this.store.replace(KEY, value, expiresAt, current.etag) : await this.store.insert(KEY, value, expiresAt);
      if (etag !== undefined) return result;
    }
    throw new PacerContendedError('pacer_contended');
  }
}
