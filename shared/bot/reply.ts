import { randomUUID } from 'node:crypto';

import type { Activity } from 'botbuilder';

import type { FailureReason } from '../genie';
import type { Clock } from '../runtime';
import { type BotState, isFinished, isReplyHeldByOther, type JobValue, type ReplyClaim, type Versioned } from '../state';
import type { Logger } from '../telemetry';
import type { ConversationSender } from './adapter';
import { errorCode } from './error-code';
import { claimedBy, type JobHandle, REPLY_LEASE_MS } from './job-handle';
import type { ProgressStreams } from './progress';

/** Tries at a write that must not be lost before giving up (1, 2, 4, 8 s apart: a short storage outage passes). */
const MUST_RECORD_TRIES = 5;

/**
 * A write after a step that must not be repeated (Genie took the question, the chat took the reply):
 * doing the step again would ask or answer twice, so a short storage outage is waited out. Past
 * that the error stands, and a later attempt may repeat the step.
 */
export async function mustRecord(
  job: JobHandle,
  what: string,
  write: () => Promise<unknown>,
  deps: { readonly clock: Clock; readonly logger: Logger },
): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await write();
      return;
    } catch (error: unknown) {
      if (tries >= MUST_RECORD_TRIES) throw error;
      deps.logger.warn('job.record_retry', { job: job.value.id, what, error: errorCode(error) });
      await deps.clock.sleep(1_000 * 2 ** (tries - 1));
    }
  }
}

export interface QuestionRepliesDependencies {
  readonly state: BotState;
  readonly sender: ConversationSender;
  readonly streams: ProgressStreams;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A question's one reply (the answer, or the plain words of a failure), sent exactly once. */
export class QuestionReplies {
  constructor(private readonly deps: QuestionRepliesDependencies) {}

  /**
   * Sends the reply once: the job moves to `replying` first (one worker wins), the reply ends the
   * progress stream or replaces the status line when there is one (a new message when replacing
   * fails), then the job is done. False when someone else replies.
   */
  async send(
    job: JobHandle,
    activity: Partial<Activity>,
    final: 'answered' | 'failed',
    card?: JobValue['card'],
    failure?: FailureReason,
  ): Promise<boolean> {
    const { sender, logger, state } = this.deps;
    const owner = randomUUID();
    const claimed = await this.claim(job, owner);
    if (!claimed) return false;
    const mine = claimedBy(owner);
    const { reference, statusActivityId } = claimed.value;
    let delivered: string | undefined;
    try {
      // In a personal chat the reply ends the question's progress stream, when one is open.
      delivered = await this.deps.streams.finish(claimed.value, activity);
      if (delivered === undefined && statusActivityId) {
        try {
          await sender.update(reference, statusActivityId, activity);
          delivered = statusActivityId;
        } catch (error: unknown) {
          logger.warn('reply.replace_failed', { job: claimed.value.id, error: errorCode(error) });
        }
      }
      if (delivered === undefined) {
        delivered = await sender.send(reference, activity);
        if (statusActivityId) {
          // A stale "Looking at your data…" above the answer is only untidy: failing to remove it fails nothing.
          await sender
            .delete(reference, statusActivityId)
            .catch((error: unknown) => logger.warn('reply.status_delete_failed', { job: claimed.value.id, error: errorCode(error) }));
        }
      }
    } catch (error: unknown) {
      // Nothing reached the chat: give the claim back, so the next attempt sends instead of waiting it out.
      await job.update({ state: claimed.value.replyClaim?.from ?? 'asked' }, mine);
      throw error;
    }
    const answerActivityId = card && delivered ? delivered : undefined;
    const sentPatch = {
      state: final,
      ...(card ? { card } : {}),
      ...(answerActivityId ? { answerActivityId } : {}),
      ...(failure ? { failure } : {}),
    };
    await mustRecord(job, 'reply', () => job.update(sentPatch, mine), this.deps);
    if (answerActivityId) {
      // Teams' feedback buttons name the answer by its Teams message id: without the index they find nothing (logged, not fatal).
      await state.answers.record(claimed.value.chatKey, answerActivityId, claimed.value.id).catch((error: unknown) => {
        logger.warn('answer.index_failed', { job: claimed.value.id, error: errorCode(error) });
      });
    }
    return true;
  }

  /**
   * Takes the right to send: refused while someone else's claim is fresh; after an ETag conflict
   * the job is read again and judged afresh (another worker may have claimed or finished it).
   */
  private async claim(job: JobHandle, owner: string): Promise<Versioned<JobValue> | undefined> {
    for (let look = 0; look < 3; look++) {
      const latest = await job.reload();
      if (!latest || isFinished(latest.value.state)) return undefined;
      const now = this.deps.clock.now();
      if (isReplyHeldByOther(latest.value, owner, now, REPLY_LEASE_MS)) return undefined;
      const from: ReplyClaim['from'] = latest.value.replyClaim?.from ?? (latest.value.state === 'queued' ? 'queued' : 'asked');
      const claimed = await this.deps.state.jobs.update(latest, { state: 'replying', replyClaim: { by: owner, at: now, from } });
      if (claimed) {
        job.current = claimed;
        return claimed;
      }
    }
    return undefined;
  }
}
