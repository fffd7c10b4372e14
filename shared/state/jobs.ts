import type { FailureReason, GenieMessageRef } from '../genie';
import { type Clock, systemClock } from '../runtime';
import type { RecordStore, Versioned } from './record-store';

/**
 * queued → asked (Genie ids recorded) → replying (one worker won the right to send) → answered;
 * any state → failed. A retried job resumes from its state: it never asks Genie twice once the ids
 * are recorded, and sends nothing once answered.
 */
export type JobState = 'queued' | 'asked' | 'replying' | 'answered' | 'failed';

/** A conversation reference as stored: plain JSON, so state does not depend on botbuilder. */
export type StoredReference = Readonly<Record<string, unknown>>;

export interface JobValue {
  readonly id: string;
  /** The chat the question belongs to (session key). */
  readonly chatKey: string;
  /** The question; blanked when the job finishes, so user text is not kept longer than needed. */
  readonly question: string;
  readonly reference: StoredReference;
  readonly state: JobState;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Worker attempts so far. */
  readonly attempts: number;
  readonly genie?: GenieMessageRef;
  /** The "looking at your data" line the answer replaces. */
  readonly statusActivityId?: string;
  readonly failure?: FailureReason;
  /** Salted hash of the asker, for logs. */
  readonly userHash?: string;
  /** The language the question came in (a shipped locale); the answer, status line and errors use it. */
  readonly locale?: string;
  /**
   * The answer card as sent, so a 👍/👎 can update it in place. Opaque here: state does not depend
   * on the bot's card types; the bot wrote it and reads it back as its AdaptiveCard.
   */
  readonly card?: object;
}

export interface JobStoreOptions {
  /** How long an unfinished job is kept. @default 86400000 (1 day) */
  readonly openTtlMs?: number;
  /** How long a finished job is kept: late redeliveries find it finished, ratings find its card. @default 14400000 (4 h) */
  readonly finishedTtlMs?: number;
  readonly clock?: Clock;
}

/** Where a question waits for its asker's sign-in (GENIE_IDENTITY=user), keyed by the person. */
const PARKED_PREFIX = 'parked:';

/** How long a question waits for its asker to sign in; later, they ask again. */
export const SIGN_IN_WAIT_MS = 15 * 60_000;

export function isFinished(state: JobState): boolean {
  return state === 'answered' || state === 'failed';
}

export class JobStore {
  private readonly clock: Clock;
  private readonly openTtlMs: number;
  private readonly finishedTtlMs: number;

  constructor(
    private readonly store: RecordStore<JobValue>,
    options: JobStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.openTtlMs = options.openTtlMs ?? 24 * 60 * 60_000;
    this.finishedTtlMs = options.finishedTtlMs ?? 4 * 60 * 60_000;
  }

  async create(job: Omit<JobValue, 'state' | 'createdAt' | 'updatedAt' | 'attempts'>): Promise<JobValue> {
    const now = this.clock.now();
    const value: JobValue = { ...job, state: 'queued', createdAt: now, updatedAt: now, attempts: 0 };
    await this.store.put(job.id, value, now + this.openTtlMs);
    return value;
  }

  /**
   * Keeps a question until its asker has signed in: one per person (the newest wins), nothing
   * dispatched and nothing sent to Genie meanwhile. Holds the question text, never a token.
   */
  async park(personKey: string, job: Omit<JobValue, 'state' | 'createdAt' | 'updatedAt' | 'attempts'>): Promise<void> {
    const now = this.clock.now();
    await this.store.put(
      `${PARKED_PREFIX}${personKey}`,
      { ...job, state: 'queued', createdAt: now, updatedAt: now, attempts: 0 },
      now + SIGN_IN_WAIT_MS,
    );
  }

  /** Takes the parked question of a person who just signed in; exactly one caller gets it (Teams may send both invokes). */
  async unpark(personKey: string): Promise<JobValue | undefined> {
    const key = `${PARKED_PREFIX}${personKey}`;
    const parked = await this.store.get(key);
    if (!parked || !(await this.store.delete(key, parked.etag))) return undefined;
    const now = this.clock.now();
    const job: JobValue = { ...parked.value, createdAt: now, updatedAt: now };
    await this.store.put(job.id, job, now + this.openTtlMs);
    return job;
  }

  get(id: string): Promise<Versioned<JobValue> | undefined> {
    return this.store.get(id);
  }

  /** Applies `patch` only if nobody changed the job since `current` was read; undefined on conflict. */
  async update(current: Versioned<JobValue>, patch: Partial<Omit<JobValue, 'id'>>): Promise<Versioned<JobValue> | undefined> {
    const now = this.clock.now();
    const finished = isFinished(patch.state ?? current.value.state);
    const value: JobValue = { ...current.value, ...patch, updatedAt: now, ...(finished ? { question: '' } : {}) };
    const expiresAt = now + (finished ? this.finishedTtlMs : this.openTtlMs);
    const etag = await this.store.replace(current.key, value, expiresAt, current.etag);
    return etag === undefined ? undefined : { key: current.key, value, etag, expiresAt };
  }
}
