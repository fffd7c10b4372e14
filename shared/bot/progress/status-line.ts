import type { AppConfig } from '../../config';
import type { Clock } from '../../runtime';
import type { Logger } from '../../telemetry';
import type { ConversationSender } from '../adapter';
import { errorCode } from '../error-code';
import type { JobHandle } from '../job-handle';

export interface StatusLine {
  /** Stops a post not yet made and waits for one in flight. */
  cancel(): Promise<void>;
}

/**
 * One status line for slow questions, posted once the question has waited the configured delay;
 * the answer later replaces it. cancel() also waits for a post in flight, so the answer knows
 * the status line's id.
 */
export function scheduleStatusLine(
  deps: {
    readonly config: Pick<AppConfig, 'answers'>;
    readonly sender: ConversationSender;
    readonly logger: Logger;
    readonly clock: Clock;
  },
  job: JobHandle,
  statusText: string,
  onPosted: () => void,
): StatusLine {
  const delay = deps.config.answers.statusMessageDelayMs;
  if (delay <= 0 || job.value.statusActivityId) return { cancel: () => Promise.resolve() };
  let posting: Promise<void> | undefined;
  const wait = Math.max(0, job.value.createdAt + delay - deps.clock.now());
  const timer = setTimeout(() => {
    posting = (async () => {
      try {
        const id = await deps.sender.send(job.value.reference, { text: statusText });
        onPosted();
        if (id) await job.update({ statusActivityId: id });
      } catch (error: unknown) {
        deps.logger.warn('status.failed', { job: job.value.id, error: errorCode(error) });
      }
    })();
  }, wait);
  timer.unref();
  return {
    cancel: async () => {
      clearTimeout(timer);
      await posting;
    },
  };
}
