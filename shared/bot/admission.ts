import { type AppConfig, HOST_SETTINGS } from '../config';
import type { Messages } from '../i18n';
import type { Clock } from '../runtime';
import { type BotState, SLOT_TOLERANCE_MS } from '../state';
import type { Logger } from '../telemetry';
import type { ConversationSender } from './adapter';
import type { JobHandle } from './job-handle';
import type { ProgressStreams } from './progress';

/** The waiting notice changes at most this often (Teams shows edits; more would be noise and connector load). */
export const NOTICE_INTERVAL_MS = 15_000;
/** How soon a question behind another in its chat looks again. */
export const LANE_RECHECK_MS = 3_000;
/**
 * A waiting question comes back this much before its slot: the hand-back is rounded up to whole
 * seconds and the host may take its longest polling interval to pick it up.
 */
export const COME_BACK_EARLY_MS = 1_000 + HOST_SETTINGS.queueMaxPollingIntervalMs + 500;
/** A slot at most this far off is waited for in place (a short hold), so the question goes out on time. */
export const HOLD_FOR_SLOT_MS = COME_BACK_EARLY_MS + 1_000;

/** Admitted: ask Genie now. Wait: come back after `delayMs` (the job is re-dispatched, no worker held). Expired: waited past the answer timeout. */
export type AdmissionDecision =
  { readonly kind: 'admitted' } | { readonly kind: 'wait'; readonly delayMs: number } | { readonly kind: 'expired' };

export interface AdmissionDependencies {
  readonly config: Pick<AppConfig, 'genie' | 'answers'>;
  readonly state: BotState;
  readonly sender: ConversationSender;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Personal chats: the notice is an update of the question's progress stream. */
  readonly streams?: ProgressStreams;
}

/**
 * Before a question goes to Genie: its chat's previous question must have finished (lane), and the
 * workspace must have a free slot (pacer). A slot is taken once and recorded on the job, so a
 * redelivered message does not take another; a question back too late for its slot (its instance
 * died, say) takes a new one, which keeps the pace's promise. The message comes back just before
 * the slot and holds for the last few seconds, so questions go out on time. While waiting, the
 * asker sees why in the status line.
 */
export class Admission {
  constructor(private readonly deps: AdmissionDependencies) {}

  async decide(job: JobHandle, messages: Messages): Promise<AdmissionDecision> {
    const { state, clock, config } = this.deps;
    const now = clock.now();
    if (now - job.value.createdAt >= config.genie.answerTimeoutMs) return { kind: 'expired' };

    const turn = await state.jobs.turnOf(job.value);
    if (turn.kind === 'behind') {
      await this.notice(job, messages.text('status.queuedBehind'));
      return { kind: 'wait', delayMs: LANE_RECHECK_MS };
    }

    const recorded = job.value.slotAt;
    const missed = recorded !== undefined && now - recorded > SLOT_TOLERANCE_MS;
    const slot = recorded === undefined || missed ? await state.pacer.take() : undefined;
    if (slot) await job.update({ slotAt: slot.at });
    const slotAt = slot?.at ?? recorded!;
    const intervalMs = slot?.intervalMs ?? state.pacer.baseIntervalMs;
    // Read again: the slot was taken at the store's moment, after the checks above.
    const current = clock.now();
    const ahead = slot?.ahead ?? Math.ceil((slotAt - current) / intervalMs);
    if (slotAt - current <= HOLD_FOR_SLOT_MS) {
      // The waiting notice gives way to the usual status line before the question goes, so it cannot make it late.
      if (job.value.noticeAt !== undefined) await this.notice(job, messages.text('status.looking'), true);
      const left = slotAt - clock.now();
      if (left > 0) await clock.sleep(left);
      return { kind: 'admitted' };
    }
    // A short wait inside the status line's delay stays silent, like a quick answer.
    if (slotAt >= job.value.createdAt + config.answers.statusMessageDelayMs) {
      const perMinute = Math.max(1, Math.round(60_000 / intervalMs));
      await this.notice(job, messages.text('status.waitingForGenie', { ahead: Math.max(1, ahead), perMinute }));
    }
    return { kind: 'wait', delayMs: Math.min(slotAt - current - COME_BACK_EARLY_MS, NOTICE_INTERVAL_MS) };
  }

  /**
   * Writes `text` into the job's status line (posting it the first time), at most every
   * NOTICE_INTERVAL_MS unless `now`. Best effort: a failed notice never holds up the question.
   */
  private async notice(job: JobHandle, text: string, force = false): Promise<void> {
    const now = this.deps.clock.now();
    const last = job.value.noticeAt;
    if (!force && last !== undefined && now - last < NOTICE_INTERVAL_MS) return;
    const { reference, statusActivityId } = job.value;
    try {
      if (await this.deps.streams?.inform(job, text)) {
        await job.update({ noticeAt: now });
      } else if (statusActivityId) {
        await this.deps.sender.update(reference, statusActivityId, { text });
        await job.update({ noticeAt: now });
      } else {
        const id = await this.deps.sender.send(reference, { text });
        await job.update({ noticeAt: now, ...(id ? { statusActivityId: id } : {}) });
      }
    } catch (error: unknown) {
      this.deps.logger.warn('status.notice_failed', { job: job.value.id, error: error instanceof Error ? error.name : 'error' });
    }
  }
}
