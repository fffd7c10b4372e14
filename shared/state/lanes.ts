import { type Clock, systemClock } from '../runtime';
import type { RecordStore } from './record-store';

/**
 * A chat's open questions in the order asked, one record per chat shared by every instance.
 * Shaped like a de-dup record ({ at }) so it lives in the de-dup table and expires with it.
 */
export interface LaneValue {
  readonly at: number;
  readonly queue: readonly { readonly id: string; readonly createdAt: number }[];
}

/** Whether a job may go to Genie now, or how many of the chat's questions are still before it. */
export type Turn = { readonly kind: 'go' } | { readonly kind: 'behind'; readonly ahead: number };

export class LaneContendedError extends Error {
  override readonly name = 'LaneContendedError';
}

/** Conditional writes lost in a row before giving up (the queue retries the job). */
const MAX_CONFLICTS = 32;

/**
 * One question at a time per chat, in the order asked, across instances: a job joins its chat's
 * lane when it is recorded and leaves it when it finishes; only the lane's head goes to Genie. A
 * head whose job is gone or finished (an instance died between finishing and leaving) is dropped
 * by whoever looks next. Every write is ETag-conditional.
 */
export class ChatLanes {
  private readonly clock: Clock;

  constructor(
    private readonly store: RecordStore<LaneValue>,
    private readonly ttlMs: number,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
  }

  static keyOf(chatKey: string): string {
    return `lane:${chatKey}`;
  }

  join(chatKey: string, id: string, createdAt: number): Promise<void> {
    return this.edit(chatKey, (queue) =>
      queue.some((entry) => entry.id === id) ? undefined : [...queue, { id, createdAt }].sort((a, b) => a.createdAt - b.createdAt),
    );
  }

  leave(chatKey: string, id: string): Promise<void> {
    return this.edit(chatKey, (queue) => (queue.some((entry) => entry.id === id) ? queue.filter((entry) => entry.id !== id) : undefined));
  }

  /**
   * The job's turn. A job not in the lane goes (recorded before lanes existed, or its lane expired):
   * order is a promise to the asker, never a reason to strand a question.
   */
  async turn(chatKey: string, id: string, isOpen: (id: string) => Promise<boolean>): Promise<Turn> {
    for (;;) {
      const lane = await this.store.get(ChatLanes.keyOf(chatKey));
      const queue = lane?.value.queue ?? [];
      const index = queue.findIndex((entry) => entry.id === id);
      if (index <= 0) return { kind: 'go' };
      const head = queue[0]!;
      if (await isOpen(head.id)) return { kind: 'behind', ahead: index };
      await this.leave(chatKey, head.id);
    }
  }

  /** Applies `change` to the queue (undefined: nothing to do), conditionally, again on a conflict. */
  private async edit(chatKey: string, change: (queue: LaneValue['queue']) => LaneValue['queue'] | undefined): Promise<void> {
    const key = ChatLanes.keyOf(chatKey);
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const now = this.clock.now();
      const current = await this.store.get(key);
      const queue = change(current?.value.queue ?? []);
      if (!queue) return;
      if (queue.length === 0 && current) {
        if (await this.store.delete(key, current.etag)) return;
        continue;
      }
      const value: LaneValue = { at: now, queue };
      const etag = current
        ? await this.store.replace(key, value, now + this.ttlMs, current.etag)
        : await this.store.insert(key, value, now + this.ttlMs);
      if (etag !== undefined) return;
    }
    throw new LaneContendedError('lane_contended');
  }
}
