import { type Clock, systemClock } from '../runtime';
import { JOB_FINISHED_TTL_MS } from './jobs';
import type { RecordStore } from './record-store';

/** Which job a sent answer came from: kept in the de-dup table (records shaped `{ at }`), as long as a finished job. */
export interface AnswerValue {
  readonly at: number;
  readonly job: string;
}

/**
 * Teams' own feedback buttons name only the chat and the answer's Teams message id: this maps
 * them (with the chat's key) back to the job (and through it to the Genie message) that answer came from.
 */
export class AnswerIndex {
  constructor(
    private readonly store: RecordStore<AnswerValue>,
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = JOB_FINISHED_TTL_MS,
  ) {}

  private static key(chatKey: string, activityId: string): string {
    return `answer|${chatKey}|${activityId}`;
  }

  async record(chatKey: string, activityId: string, jobId: string): Promise<void> {
    const now = this.clock.now();
    await this.store.put(AnswerIndex.key(chatKey, activityId), { at: now, job: jobId }, now + this.ttlMs);
  }

  /** The job whose answer is that Teams message in that chat; undefined for any other chat or message. */
  async jobOf(chatKey: string, activityId: string): Promise<string | undefined> {
    return (await this.store.get(AnswerIndex.key(chatKey, activityId)))?.value.job;
  }
}
