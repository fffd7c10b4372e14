import type { FailureReason, GenieMessageRef } from '../genie';
import { type Clock, systemClock } from '../runtime';
import type { ChatLanes, Turn } from './lanes';
import type { RecordStore, Versioned } from './record-store';

/**
 * queued → asked (Genie ids recorded) → replying (one worker won the right to send) → answered;
 * any state → failed. A retried job resumes from its state: it never asks Genie twice once the ids
 * are recorded, and sends nothing once answered.
 */
export type JobState = 'queued' | 'asked' | 'replying' | 'answered' | 'failed';

/**
 * Who holds the right to send the reply (state `replying`), since when, and the state to give back
 * if nothing reached the chat. The owner token is per reply attempt, so two workers never share one.
 */
export interface ReplyClaim {
  readonly by: string;
  readonly at: number;
  readonly from: Exclude<JobState, 'replying' | 'answered' | 'failed'>;
}

/**
 * The worker on an open job and until when; renewed while it works. Another delivery of the same
 * message (a hand-back raced a crash, a queue lease lapsed during a storage outage) waits for it
 * instead of working the job twice.
 */
export interface WorkerLease {
  readonly by: string;
  readonly until: number;
}

/** A conversation reference as stored: plain JSON, so state does not depend on botbuilder. */
export type StoredReference = Readonly<Record<string, unknown>>;

/**
 * A progress stream as recorded: its id (the first update's id), when it started (Teams ends a stream
 * after 2 minutes), the last sequence number used (each update takes the next, also after a retry), and
 * whether it is over (ended with a final message, or refused: a stream is never restarted).
 */
export interface ProgressStreamRecord {
  /** Absent when Teams refused the first update. */
  readonly id?: string;
  readonly startedAt: number;
  readonly sequence: number;
  /** When the last update was sent: the next waits a second after it, whichever attempt sends it. */
  readonly lastAt: number;
  readonly over?: boolean;
}

export interface JobValue {
  readonly id: string;
  /** The chat the question belongs to (session key). */
  readonly chatKey: string;
  /** The question; blanked when the job finishes, so user text is not kept longer than needed. */
  readonly question: string;
  /** The Genie space the question goes to (the chat's when it was asked); absent: the default space. */
  readonly spaceId?: string;
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
  /** When the pacer let this question go to Genie: taken once, so a redelivery does not take another slot. */
  readonly slotAt?: number;
  /** Teams' progress stream in a personal chat (see shared/bot/progress/stream.ts), once its first update was taken. */
  readonly stream?: ProgressStreamRecord;
  /** When the waiting notice (in the status line) was last written, so it changes at most every so often. */
  readonly noticeAt?: number;
  /** Set while `replying`; absent in every other state. */
  readonly replyClaim?: ReplyClaim;
  /** Set while a worker has the job; absent once it is finished. */
  readonly worker?: WorkerLease;
  /** Salted hash of the asker, for logs. */
  readonly userHash?: string;
  /** The language the question came in (a shipped locale); the answer, status line and errors use it. */
  readonly locale?: string;
  /**
   * The answer card as sent, so a 👍/👎 can update it in place. Opaque here: state does not depend
   * on the bot's card types; the bot wrote it and reads it back as its AdaptiveCard.
   */
  readonly card?: object;
  /** The Teams message id of the answer as sent (Teams' own feedback buttons name it). */
  readonly answerActivityId?: string;
}

/** How long an unfinished job (and its place in its chat's lane) is kept. */
export const JOB_OPEN_TTL_MS = 24 * 60 * 60_000;
/** How long a finished job is kept: late redeliveries find it finished, ratings find its card and Genie message. */
export const JOB_FINISHED_TTL_MS = 4 * 60 * 60_000;

export interface JobStoreOptions {
  /** How long an unfinished job is kept. @default 86400000 (1 day) */
  readonly openTtlMs?: number;
  /** How long a finished job is kept. @default JOB_FINISHED_TTL_MS (4 h) */
  readonly finishedTtlMs?: number;
  readonly clock?: Clock;
  /** One question at a time per chat, in order: jobs join their chat's lane when recorded, leave it when finished. */
  readonly lanes?: ChatLanes;
}

/** Where a question waits for its asker's sign-in (GENIE_IDENTITY=user), keyed by the person. */
const PARKED_PREFIX = 'parked:';

/** How long a question waits for its asker to sign in; later, they ask again. */
export const SIGN_IN_WAIT_MS = 15 * 60_000;

export function isFinished(state: JobState): boolean {
  return state === 'answered' || state === 'failed';
}

/**
 * True while someone other than `owner` holds a reply claim younger than `leaseMs`: they may be
 * sending right now. An older claim is taken to have died mid-send. Jobs written before claims
 * carried an owner count from their last update.
 */
export function isReplyHeldByOther(job: JobValue, owner: string | undefined, now: number, leaseMs: number): boolean {
  if (job.state !== 'replying') return false;
  if (owner !== undefined && job.replyClaim?.by === owner) return false;
  return now - (job.replyClaim?.at ?? job.updatedAt) < leaseMs;
}

/** How long the job is still someone else's (their reply claim or worker lease), in ms; 0 when `owner` may work it. */
export function heldByOtherForMs(job: JobValue, owner: string, now: number, replyLeaseMs: number): number {
  const reply = isReplyHeldByOther(job, owner, now, replyLeaseMs) ? (job.replyClaim?.at ?? job.updatedAt) + replyLeaseMs - now : 0;
  const worker = job.worker && job.worker.by !== owner ? job.worker.until - now : 0;
  return Math.max(0, reply, worker);
}

export class JobStore {
  private readonly clock: Clock;
  private readonly openTtlMs: number;
  private readonly finishedTtlMs: number;
  private readonly lanes: ChatLanes | undefined;

  constructor(
    private readonly store: RecordStore<JobValue>,
    options: JobStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.openTtlMs = options.openTtlMs ?? JOB_OPEN_TTL_MS;
    this.finishedTtlMs = options.finishedTtlMs ?? JOB_FINISHED_TTL_MS;
    this.lanes = options.lanes;
  }

  async create(job: Omit<JobValue, 'state' | 'createdAt' | 'updatedAt' | 'attempts'>): Promise<JobValue> {
    const now = this.clock.now();
    const value: JobValue = { ...job, state: 'queued', createdAt: now, updatedAt: now, attempts: 0 };
    // Lane first: a lane entry whose job was never written is dropped by the next look, a job outside its lane would jump the queue.
    await this.lanes?.join(job.chatKey, job.id, now);
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
    const merged: JobValue = { ...current.value, ...patch, updatedAt: now, ...(finished ? { question: '', worker: undefined } : {}) };
    // A claim lives exactly as long as the `replying` state.
    const value: JobValue = merged.state === 'replying' ? merged : { ...merged, replyClaim: undefined };
    const expiresAt = now + (finished ? this.finishedTtlMs : this.openTtlMs);
    const etag = await this.store.replace(current.key, value, expiresAt, current.etag);
    if (etag === undefined) return undefined;
    if (finished && !isFinished(current.value.state)) {
      // Best effort: a finished head left behind is dropped by the next question that looks.
      await this.lanes?.leave(value.chatKey, value.id).catch(() => undefined);
    }
    return { key: current.key, value, etag, expiresAt };
  }

  /** Whether the job may go to Genie now, or how many of its chat's questions are still before it. */
  turnOf(job: JobValue): Promise<Turn> {
    if (!this.lanes) return Promise.resolve({ kind: 'go' });
    return this.lanes.turn(job.chatKey, job.id, async (id) => {
      const found = await this.store.get(id);
      return found !== undefined && !isFinished(found.value.state);
    });
  }
}
