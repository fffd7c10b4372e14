import type { QueueClient } from '@azure/storage-queue';

import { HOST_SETTINGS } from '../config';
import { ensureError } from '../http';

/** What goes on the questions queue: the job id (the job record holds the rest). */
export interface QuestionMessage {
  readonly jobId: string;
  /**
   * Present: not the question but "Download all N rows" of its answer, pressed; `click` is that
   * click's de-dup key, given back when the file is ready or failed (a press after that asks again).
   */
  readonly download?: { readonly click: string };
}

export function isQuestionMessage(value: unknown): value is QuestionMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { jobId, download } = value as { jobId?: unknown; download?: { click?: unknown } | null };
  return typeof jobId === 'string' && (download === undefined || typeof download?.click === 'string');
}

export interface DispatchOptions {
  /** Not before this many ms from now (a question waiting for admission). @default 0 */
  readonly delayMs?: number;
}

/** Hands a recorded question to the answer worker. */
export interface QuestionDispatcher {
  readonly mode: 'queue' | 'inline';
  dispatch(message: QuestionMessage, options?: DispatchOptions): Promise<void>;
}

/**
 * The Azure Storage queue the `answer` function is triggered by. Messages are base64 JSON, the
 * encoding the Functions queue trigger expects by default.
 */
export class StorageQueueDispatcher implements QuestionDispatcher {
  readonly mode = 'queue';
  private ready?: Promise<unknown>;

  constructor(private readonly queue: QueueClient) {}

  async dispatch(message: QuestionMessage, options: DispatchOptions = {}): Promise<void> {
    this.ready ??= this.queue.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    const delaySeconds = Math.ceil((options.delayMs ?? 0) / 1000);
    await this.queue.sendMessage(
      Buffer.from(JSON.stringify(message)).toString('base64'),
      delaySeconds > 0 ? { visibilityTimeout: delaySeconds } : {},
    );
  }
}

export interface InlineDispatcherOptions {
  /** Attempts before the poison handler runs. @default host.json's maxDequeueCount */
  readonly maxDequeueCount?: number;
  /** Pause between attempts, like the queue's visibility timeout. @default 1000 */
  readonly retryDelayMs?: number;
  /** Wait before the first attempt. @default 25 */
  readonly pickupDelayMs?: number;
  readonly onError?: (error: Error, dequeueCount: number) => void;
}

/**
 * The same worker, in-process (the dev host): dispatch returns at once, the work runs after, with
 * the queue's retry and poison semantics. Nothing survives the process — local use only.
 */
export class InlineDispatcher implements QuestionDispatcher {
  readonly mode = 'inline';
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly work: (message: QuestionMessage, dequeueCount: number) => Promise<void>,
    private readonly poison: (message: QuestionMessage) => Promise<void>,
    private readonly options: InlineDispatcherOptions = {},
  ) {}

  dispatch(message: QuestionMessage, options: DispatchOptions = {}): Promise<void> {
    const run = this.run(message, options.delayMs).finally(() => this.pending.delete(run));
    this.pending.add(run);
    return Promise.resolve();
  }

  /** Resolves when every dispatched job has finished (tests, orderly shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async run(message: QuestionMessage, delayMs?: number): Promise<void> {
    // Like a queue's pickup, a moment after the webhook answered: a burst is acknowledged first.
    await new Promise((resolve) => setTimeout(resolve, delayMs ?? this.options.pickupDelayMs ?? 25));
    const max = this.options.maxDequeueCount ?? HOST_SETTINGS.maxDequeueCount;
    for (let dequeueCount = 1; dequeueCount <= max; dequeueCount++) {
      try {
        await this.work(message, dequeueCount);
        return;
      } catch (error: unknown) {
        this.options.onError?.(ensureError(error), dequeueCount);
        if (dequeueCount < max) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000));
      }
    }
    try {
      await this.poison(message);
    } catch (error: unknown) {
      this.options.onError?.(ensureError(error), max + 1);
    }
  }
}
