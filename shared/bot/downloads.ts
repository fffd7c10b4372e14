import type { Activity, AdaptiveCardInvokeResponse } from 'botbuilder';

import {
  DEFAULT_DOWNLOAD_SCHEDULE,
  downloadFullResult,
  type DownloadSchedule,
  failureReasonOf,
  type GenieClient,
  type GenieMessageRef,
  readAnswer,
} from '../genie';
import { ensureError } from '../http';
import type { MessageKey, Messages } from '../i18n';
import { type Clock, systemClock } from '../runtime';
import type { JobValue } from '../state';
import type { Logger } from '../telemetry';
import type { ConversationSender } from './adapter';
import { attachment, renderDownloadCard } from './cards';

export interface FullResultDownloadsDependencies {
  readonly sender: ConversationSender;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** @default DEFAULT_DOWNLOAD_SCHEDULE (looks for up to 2 minutes) */
  readonly schedule?: DownloadSchedule;
}

/** What the person reads when a download cannot be had; never Genie's own words (they may name tables). */
function failureKey(error: unknown): MessageKey {
  switch (failureReasonOf(error)) {
    case 'timeout':
      return 'download.tooSlow';
    case 'sign_in':
      return 'signIn.expired';
    case 'not_found':
      return 'download.expired';
    default:
      return 'download.failed';
  }
}

/**
 * "Download all N rows": the click is answered at once; then, in the chat of the answer, a line
 * says the file is being prepared, Genie's downloads API is asked and polled (bounded), and the
 * line becomes a card with Genie's presigned link(s), or a plain sentence when it failed or took
 * too long. The bot never fetches the file: no row passes through it. The caller has already bound
 * the click to its job's chat and Genie message.
 */
export class FullResultDownloads {
  private readonly clock: Clock;
  constructor(private readonly deps: FullResultDownloadsDependencies) {
    this.clock = deps.clock ?? systemClock;
  }

  /** What the click is answered with, at once: the file comes later, in the chat. */
  static started(messages: Messages): AdaptiveCardInvokeResponse {
    return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: messages.text('download.started') as never };
  }

  /**
   * Prepares the file (on the questions queue, so the wait survives the instance that took the
   * click) and shows the link, or a plain sentence, in the job's chat. Never throws.
   */
  async prepare(job: JobValue, ref: GenieMessageRef, genie: GenieClient, messages: Messages): Promise<void> {
    const log = { job: job.id, user: job.userHash };
    const started = this.clock.now();
    let statusId: string | undefined;
    try {
      // Which attachment, and how many rows, come from Genie itself: nothing of the card is trusted beyond its ids.
      const query = readAnswer(ref, await genie.getMessage(ref)).query;
      if (!query) throw new Error('no_query_attachment');
      const rows = query.rowCount ?? 0;
      statusId = await this.deps.sender.send(job.reference, { text: messages.text('download.preparing', { rows }) });
      const ready = await downloadFullResult(genie, ref, query.attachmentId, {
        clock: this.clock,
        schedule: this.deps.schedule ?? DEFAULT_DOWNLOAD_SCHEDULE,
      });
      const card = renderDownloadCard(ready, ready.totalRowCount ?? rows, messages, this.clock.now());
      await this.show(job, statusId, { attachments: [attachment(card)] });
      this.deps.logger.info('download.ready', { ...log, files: ready.links.length, ms: this.clock.now() - started });
    } catch (error: unknown) {
      const reason = failureReasonOf(error);
      this.deps.logger.warn('download.failed', { ...log, reason, error: ensureError(error).name, ms: this.clock.now() - started });
      await this.show(job, statusId, { text: messages.text(failureKey(error)) }).catch((sendError: unknown) =>
        this.deps.logger.warn('download.untold', { ...log, error: ensureError(sendError).name }),
      );
    }
  }

  /** Replaces the "preparing" line when there is one (a new message when that fails), else sends. */
  private async show(job: JobValue, statusId: string | undefined, activity: Partial<Activity>): Promise<void> {
    if (statusId) {
      try {
        await this.deps.sender.update(job.reference, statusId, activity);
        return;
      } catch (error: unknown) {
        this.deps.logger.warn('download.replace_failed', { job: job.id, error: ensureError(error).name });
      }
    }
    await this.deps.sender.send(job.reference, activity);
  }
}
