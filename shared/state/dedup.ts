import { type Clock, systemClock } from '../runtime';
import type { RecordStore } from './record-store';

export interface DedupValue {
  readonly at: number;
}

/** Teams redelivers an activity when the bot is slow (up to ~4 copies); an hour covers every retry. */
export const DEDUP_TTL_MS = 60 * 60_000;

/**
 * Remembers activities already taken, atomically across instances: a conditional insert of
 * `conversation|activity` wins exactly once.
 */
export class ActivityDeduplicator {
  constructor(
    private readonly store: RecordStore<DedupValue>,
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = DEDUP_TTL_MS,
  ) {}

  /** True the first time this activity is seen; false for every redelivery. */
  async firstSeen(conversationId: string, activityId: string): Promise<boolean> {
    const now = this.clock.now();
    return (await this.store.insert(`${conversationId}|${activityId}`, { at: now }, now + this.ttlMs)) !== undefined;
  }

  /** Undoes firstSeen when taking the activity failed, so a redelivery is processed. */
  forget(conversationId: string, activityId: string): Promise<boolean> {
    return this.store.delete(`${conversationId}|${activityId}`);
  }
}
