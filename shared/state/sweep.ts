import type { RecordStore } from './record-store';
import type { RecordStores } from './stores';

export interface SweepOptions {
  readonly now: number;
  /** Records per batch. @default 200 */
  readonly batchSize?: number;
  /** Batches per kind per run: a run is bounded, the next run continues. @default 10 */
  readonly maxBatches?: number;
  /**
   * Deletes a Genie conversation (sessions that expired or were reset). Throwing keeps the record
   * for the next run; a conversation that is already gone should resolve.
   */
  readonly deleteConversation?: (spaceId: string, conversationId: string) => Promise<void>;
  /** Told about each failed conversation delete (the record stays for the next run). */
  readonly onDeleteError?: (error: unknown) => void;
}

export interface SweepResult {
  sessionsDeleted: number;
  conversationsDeleted: number;
  conversationDeleteFailures: number;
  dedupDeleted: number;
  jobsDeleted: number;
}

async function sweepKind<T>(store: RecordStore<T>, options: SweepOptions, beforeDelete?: (value: T) => Promise<boolean>): Promise<number> {
  const batchSize = options.batchSize ?? 200;
  let deleted = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 10); batch++) {
    const expired = await store.listExpired(options.now, batchSize);
    let progress = 0;
    for (const record of expired) {
      if (beforeDelete && !(await beforeDelete(record.value))) continue;
      // Conditional: a record renewed since it was listed stays.
      if (await store.delete(record.key, record.etag)) {
        deleted++;
        progress++;
      }
    }
    if (expired.length < batchSize || progress === 0) break;
  }
  return deleted;
}

/**
 * Removes expired sessions, de-dup keys and jobs in bounded batches, and deletes the Genie
 * conversations of expired sessions so a space never reaches its 10,000-conversation cap. An
 * expired session never continues its conversation, so deleting it in Genie is always safe.
 */
export async function sweepExpired(stores: RecordStores, options: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = {
    sessionsDeleted: 0,
    conversationsDeleted: 0,
    conversationDeleteFailures: 0,
    dedupDeleted: 0,
    jobsDeleted: 0,
  };
  const deleteConversation = options.deleteConversation;
  result.sessionsDeleted = await sweepKind(stores.sessions, options, async (session) => {
    if (!deleteConversation || !session.conversationId) return true;
    try {
      await deleteConversation(session.spaceId, session.conversationId);
      result.conversationsDeleted++;
      return true;
    } catch (error: unknown) {
      options.onDeleteError?.(error);
      result.conversationDeleteFailures++;
      return false;
    }
  });
  result.dedupDeleted = await sweepKind(stores.dedup, options);
  result.jobsDeleted = await sweepKind(stores.jobs, options);
  return result;
}
