import type { Activity, AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue, InvokeResponse, TurnContext } from 'botbuilder';

import { type GenieClient, type GenieMessageRef, userMessageKey } from '../genie';
import { ensureError } from '../http';
import type { MessageKey, Messages } from '../i18n';
import { type Clock, systemClock } from '../runtime';
import type { BotState, JobValue, QuestionDispatcher, Versioned } from '../state';
import type { Logger, Telemetry } from '../telemetry';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  DOWNLOAD_VERB,
  FEEDBACK_VERB,
  isDownloadActionData,
  isFeedbackActionData,
  isUseSpaceActionData,
  USE_SPACE_VERB,
  withFeedbackGiven,
} from './cards';
import { FullResultDownloads } from './downloads';
import { parseTeamsFeedback, type TeamsFeedback } from './feedback-loop';
import type { SpaceCommands } from './space-commands';

function sameMessage(a: GenieMessageRef, b: GenieMessageRef): boolean {
  return a.spaceId === b.spaceId && a.conversationId === b.conversationId && a.messageId === b.messageId;
}

export interface CardActionsDependencies {
  readonly state: BotState;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  /** Where "Download all N rows" goes: the questions queue, so the wait survives this instance. */
  readonly dispatcher: QuestionDispatcher;
  readonly spaceCommands: SpaceCommands;
  /** The Genie client for the person who pressed (the service's, or theirs in per-user mode). */
  readonly genieFor: (activity: Partial<Activity>) => Promise<GenieClient>;
  /** The chat's session key, which a job records. */
  readonly chatKeyOf: (activity: Partial<Activity>) => string;
  readonly userHash: (activity: Partial<Activity>) => string;
  readonly clock?: Clock;
}

/** Presses of one answer's "Download all N rows" within this long join the first (the file takes up to 2 minutes). */
const DOWNLOAD_CLICK_WINDOW_MS = 2 * 60_000;

/**
 * The answer card's buttons (👍/👎, "Download all N rows", a space to use) and Teams' own 👍/👎:
 * each honoured only for its own job's chat and the Genie message that job recorded; anything else
 * gets 403 (404 for Teams' buttons) and nothing reaches Genie.
 */
export class CardActions {
  private readonly clock: Clock;

  constructor(private readonly deps: CardActionsDependencies) {
    this.clock = deps.clock ?? systemClock;
  }

  async onCardAction(context: TurnContext, invokeValue: AdaptiveCardInvokeValue, messages: Messages): Promise<AdaptiveCardInvokeResponse> {
    const data: unknown = invokeValue.action?.data;
    const verb = invokeValue.action?.verb;
    if (verb === USE_SPACE_VERB && isUseSpaceActionData(data)) return this.deps.spaceCommands.useFromCard(context, data, messages);
    if (verb === DOWNLOAD_VERB && isDownloadActionData(data)) {
      const job = await this.boundJob(context, data.job, data.ref);
      if (!job) return this.refuse(context, messages);
      return this.requestDownload(job.value, messages);
    }
    if (verb !== FEEDBACK_VERB || !isFeedbackActionData(data)) {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Unknown card action' } };
    }
    const { rating, ref } = data;
    const job = await this.boundJob(context, data.job, ref);
    if (!job) return this.refuse(context, messages);
    const failed = await this.rateOnce(context, ref, { rating });
    if (failed !== undefined) {
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: messages.text(failed) as never };
    }
    const card = job.value.card;
    if (card)
      return {
        statusCode: 200,
        type: ADAPTIVE_CARD_CONTENT_TYPE,
        value: withFeedbackGiven(card as AdaptiveCard, rating, messages) as never,
      };
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: messages.text('feedback.thanks') as never };
  }

  /** Teams' own 👍/👎 (`message/submitAction`), found through the answer index by the Teams message id. */
  async onTeamsFeedback(context: TurnContext): Promise<InvokeResponse> {
    const feedback = parseTeamsFeedback(context.activity.value);
    if (!feedback) return { status: 400, body: { code: 'BadRequest', message: 'Unknown submit action' } };
    // Bound like the card's buttons: the answer must be one this chat was sent, and its job must still know its Genie message.
    const chatKey = this.deps.chatKeyOf(context.activity);
    const answered = context.activity.replyToId ? await this.deps.state.answers.jobOf(chatKey, context.activity.replyToId) : undefined;
    const job = answered ? await this.deps.state.jobs.get(answered) : undefined;
    const ref = job?.value.chatKey === chatKey ? job.value.genie : undefined;
    if (!ref) {
      this.recordRefusal(context);
      return { status: 404, body: { code: 'NotFound', message: 'No answer of this chat has that id' } };
    }
    const failed = await this.rateOnce(context, ref, feedback);
    // Teams shows its own error for anything but 200: the person can press again (the de-dup key was given back).
    return failed === undefined ? { status: 200, body: {} } : { status: 502, body: { code: 'GenieUnavailable', message: failed } };
  }

  /**
   * Hands the download to the queue and answers the click at once. A second press while one is on
   * its way joins it (Genie is asked once); the worker gives the key back when the file is ready or
   * failed, and a press after the window asks again whatever happened to the first.
   */
  private async requestDownload(job: JobValue, messages: Messages): Promise<AdaptiveCardInvokeResponse> {
    const click = String(Math.floor(this.clock.now() / DOWNLOAD_CLICK_WINDOW_MS));
    if (await this.deps.state.dedup.firstSeen(`download:${job.id}`, click)) {
      try {
        await this.deps.dispatcher.dispatch({ jobId: job.id, download: { click } });
      } catch (error: unknown) {
        await this.deps.state.dedup.forget(`download:${job.id}`, click).catch(() => false);
        this.deps.logger.warn('download.handoff_failed', { job: job.id, error: ensureError(error).name });
        return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: messages.text('download.failed') as never };
      }
    }
    return FullResultDownloads.started(messages);
  }

  /** The job a card button names, when it is this chat's and recorded exactly the Genie message the button names. */
  private async boundJob(context: TurnContext, jobId: string | undefined, ref: GenieMessageRef): Promise<Versioned<JobValue> | undefined> {
    const job = jobId ? await this.deps.state.jobs.get(jobId) : undefined;
    const recorded = job?.value.genie;
    if (!job || job.value.chatKey !== this.deps.chatKeyOf(context.activity) || !recorded || !sameMessage(recorded, ref)) return undefined;
    return job;
  }

  /** A button replayed from another chat, or edited to name another message: 403, and nothing reaches Genie. */
  private refuse(context: TurnContext, messages: Messages): AdaptiveCardInvokeResponse {
    this.recordRefusal(context);
    return {
      statusCode: 403,
      type: 'application/vnd.microsoft.error',
      value: { code: 'Forbidden', message: messages.text('refusal.cardActionElsewhere') },
    };
  }

  private recordRefusal(context: TurnContext): void {
    this.deps.telemetry.refused('card_action');
    this.deps.logger.info('policy.refused', { reason: 'card_action', user: this.deps.userHash(context.activity) });
  }

  /**
   * Sends Genie the rating (and comment) once per Genie message and rating, whichever buttons were
   * pressed: the card's and Teams' own share one de-dup key, so one click never rates twice.
   * Returns the message key to tell the user when Genie could not be reached.
   */
  private async rateOnce(context: TurnContext, ref: GenieMessageRef, feedback: TeamsFeedback): Promise<MessageKey | undefined> {
    const feedbackKey = [`feedback:${ref.conversationId}`, `${ref.messageId}:${feedback.rating}`] as const;
    if (!(await this.deps.state.dedup.firstSeen(...feedbackKey))) return undefined;
    try {
      await (await this.deps.genieFor(context.activity)).sendFeedback(ref, feedback.rating, feedback.comment);
      this.deps.logger.debug('feedback.sent', {
        rating: feedback.rating,
        comment: feedback.comment !== undefined,
        user: this.deps.userHash(context.activity),
      });
      return undefined;
    } catch (error: unknown) {
      await this.deps.state.dedup.forget(...feedbackKey).catch(() => false);
      this.deps.logger.warn('feedback.failed', { error: ensureError(error).name });
      return userMessageKey(error);
    }
  }
}
