import { randomUUID } from 'node:crypto';

import type { Activity } from 'botbuilder';

import { type AppConfig, HOST_SETTINGS } from '../config';
import {
  askGenie,
  type AskResult,
  type FailureReason,
  failureReasonOf,
  type GenieClient,
  GenieError,
  GenieHttpError,
  GenieSignInRequiredError,
  type PollSchedule,
  userMessageKey,
} from '../genie';
import { type Messages, messagesFor, resolveLocale } from '../i18n';
import { type Clock, systemClock } from '../runtime';
import { type BotState, heldByOtherForMs, isFinished, type JobValue, type QuestionMessage } from '../state';
import { type Logger, type Telemetry, truncateForLog } from '../telemetry';
import type { ConversationSender, UserTokens } from './adapter';
import { Admission } from './admission';
import { answerMessage } from './answer-message';
import type { AnswerSpace } from './citations';
import { FullResultDownloads } from './downloads';
import { errorCode } from './error-code';
import { JobHandle, keepLeased, leaseJob, REPLY_LEASE_MS } from './job-handle';
import { ProgressStreams, showProgress } from './progress';
import { mustRecord, QuestionReplies } from './reply';
import { activityOfReference, genieAs, personKeyOf, signInCard, tokenUserOfReference } from './sign-in';
import { SpaceDirectory } from './spaces';

export interface AnswerWorkerDependencies {
  readonly config: AppConfig;
  readonly state: BotState;
  readonly sender: ConversationSender;
  readonly genie: () => Promise<GenieClient>;
  /** The token service (GENIE_IDENTITY=user): each question is asked with its asker's current token. */
  readonly userTokens?: UserTokens;
  /** The spaces offered (GENIE_SPACES): answers name theirs when there are several. @default one built from config */
  readonly spaces?: SpaceDirectory;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly clock?: Clock;
  readonly schedule?: PollSchedule;
  /**
   * Hands the message back to be processed again after `delayMs` (queue: a message with a
   * visibility delay; inline: a timer): how a waiting question holds no worker.
   */
  readonly defer: (message: QuestionMessage, delayMs: number) => Promise<void>;
  /** Typing indicator repeat. @default 3000 */
  readonly typingIntervalMs?: number;
}

/** Errors worth another attempt from the queue (Genie or storage unreachable), not ones the user must hear about. */
function isTransient(error: unknown): boolean {
  if (error instanceof GenieError)
    return error.retryable && (error.reason === 'network' || error.reason === 'internal' || error.reason === 'rate_limited');
  return true;
}

/** Poison found someone else sending: the host retries the poison message later. */
export class ReplyInProgressError extends Error {
  override readonly name = 'ReplyInProgressError';
}

/**
 * Answers one recorded question: asks Genie (or resumes the recorded Genie message), waits, and
 * replies in the chat the question came from. Safe to run again: a retried job never asks twice
 * once the Genie ids are recorded, and sends nothing once answered.
 */
export class AnswerWorker {
  private readonly clock: Clock;
  private readonly admission: Admission;
  private readonly streams: ProgressStreams;
  private readonly spaces: SpaceDirectory;
  private readonly replies: QuestionReplies;
  private readonly recording: { readonly clock: Clock; readonly logger: Logger };
  private readonly downloads: FullResultDownloads;

  constructor(private readonly deps: AnswerWorkerDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.spaces = deps.spaces ?? new SpaceDirectory(deps.config, this.clock);
    this.streams = new ProgressStreams({ ...deps, clock: this.clock });
    this.admission = new Admission({ ...deps, clock: this.clock, streams: this.streams });
    this.replies = new QuestionReplies({ ...deps, clock: this.clock, streams: this.streams });
    this.recording = { clock: this.clock, logger: deps.logger };
    this.downloads = new FullResultDownloads({ sender: deps.sender, logger: deps.logger, clock: this.clock });
  }

  /** One attempt at a question, inside a `genie.answer` span joined to the host's trace when tracing is on. */
  process(message: QuestionMessage, dequeueCount: number, traceparent?: string): Promise<void> {
    return this.deps.telemetry.answerAttempt(traceparent, () => this.attempt(message, dequeueCount));
  }

  private async attempt(message: QuestionMessage, dequeueCount: number): Promise<void> {
    const found = await this.deps.state.jobs.get(message.jobId);
    if (!found) {
      this.deps.logger.warn('job.missing', { job: message.jobId });
      return;
    }
    if (message.download) {
      await this.prepareDownload(found.value, message.download.click);
      return;
    }
    const owner = randomUUID();
    const lease = await leaseJob(this.deps.state, found, owner, this.clock);
    if (lease.kind === 'done') return;
    if (lease.kind === 'busy') {
      // Someone else is on it (this is a second delivery): look again once they should be done, holding no worker.
      await this.deps.defer(message, lease.forMs + 1_000);
      return;
    }
    const { job } = lease;
    const leased = keepLeased(job, owner, this.clock, (error: unknown) => {
      this.deps.logger.warn('job.lease_renewal_failed', { job: message.jobId, error: errorCode(error) });
    });
    try {
      await this.work(job, message, dequeueCount);
    } finally {
      await leased.stop();
    }
  }

  private async work(job: JobHandle, message: QuestionMessage, dequeueCount: number): Promise<void> {
    const messages = this.messagesOf(job.value);
    const log = { job: message.jobId, user: job.value.userHash, attempt: dequeueCount };
    if (!job.value.genie && (await this.waitsForAdmission(job, message, messages))) return;
    await job.update({ attempts: job.value.attempts + 1 });

    const progress = showProgress({ ...this.deps, clock: this.clock, streams: this.streams }, job, messages);
    // Looked up beside the question (cached briefly): it never delays or fails the answer.
    const space = this.answerSpaceOf(job.value);
    try {
      const result = await this.ask(job, progress.onStatus);
      const { answer } = result;
      if (this.deps.config.telemetry.logQuestionText) {
        // Genie's payload holds the question and result rows: only with LOG_QUESTION_TEXT, at debug, compacted.
        this.deps.logger.debug('genie.answer', { ...log, payload: JSON.stringify(truncateForLog(answer)) });
      }
      const { activity, card } = answerMessage(answer, messages, this.deps.config.cards, message.jobId, await space);
      await progress.stop();
      const sent = await this.replies.send(job, activity, 'answered', card);
      if (sent) {
        const outcome = answer.clarification && !answer.query ? 'clarification' : 'answered';
        this.deps.telemetry.questionFinished(outcome, 'none', this.clock.now() - job.value.createdAt, result.waitedMs);
        this.deps.logger.debug('question.answered', {
          ...log,
          outcome,
          polls: result.polls,
          genieMs: result.waitedMs,
          rows: answer.table?.rows.length,
        });
      }
    } catch (error: unknown) {
      await progress.stop();
      if (await this.refusedForPace(job, message, error)) return;
      const reason = failureReasonOf(error);
      if (isTransient(error) && dequeueCount < HOST_SETTINGS.maxDequeueCount) {
        this.deps.logger.warn('question.retry', { ...log, reason, error: errorCode(error) });
        throw error;
      }
      await this.fail(
        job,
        reason,
        messages.text(this.userMessageKeyOf(error), { admin: this.deps.config.genie.adminContact ?? 'none' }),
        error,
        await this.signInCardFor(job.value, error, messages),
      );
    } finally {
      await progress.stop();
    }
  }

  /** "Download all N rows" of the job's answer (the click was bound to it); the click's key is given back after. */
  private async prepareDownload(job: JobValue, click: string): Promise<void> {
    try {
      if (job.genie) await this.downloads.prepare(job, job.genie, await this.genieFor(job), this.messagesOf(job));
    } finally {
      await this.deps.state.dedup.forget(`download:${job.id}`, click).catch(() => false);
    }
  }

  /**
   * After the host's last attempt: the user hears their question could not be answered. While
   * another worker holds a fresh reply claim, nothing is sent (it may be sending the answer): the
   * poison message is retried. If telling the user keeps failing (connector down) until the poison
   * message's own last attempt, the job is closed as failed untold, with an operator error, rather
   * than left open.
   */
  async poison(message: QuestionMessage, dequeueCount: number = HOST_SETTINGS.maxDequeueCount): Promise<void> {
    const found = await this.deps.state.jobs.get(message.jobId);
    if (!found || isFinished(found.value.state)) return;
    const lastAttempt = dequeueCount >= HOST_SETTINGS.maxDequeueCount;
    const log = { job: found.value.id, user: found.value.userHash, attempt: dequeueCount };
    if (heldByOtherForMs(found.value, '', this.clock.now(), REPLY_LEASE_MS) > 0) {
      if (!lastAttempt) throw new ReplyInProgressError('another worker is on this question');
      this.deps.logger.warn('poison.reply_in_progress', log);
      return;
    }
    const job = new JobHandle(this.deps.state, found);
    try {
      await this.fail(job, 'internal', this.messagesOf(found.value).text('reply.poison'), new Error('poison'));
    } catch (error: unknown) {
      if (!lastAttempt) throw error;
      await job.update({ state: 'failed', failure: 'internal' });
      if (job.value.state !== 'failed') return;
      this.deps.telemetry.questionFinished('failed', 'internal', this.clock.now() - job.value.createdAt);
      this.deps.logger.error('question.untold', { ...log, error: errorCode(error) });
    }
  }

  /**
   * True when the question must wait (its chat's previous one is still open, or Genie's pace has no
   * slot yet): the message is dispatched again with a delay and this attempt ends, holding no
   * worker. Past the answer timeout the asker gets the plain timeout message instead.
   */
  private async waitsForAdmission(job: JobHandle, message: QuestionMessage, messages: Messages): Promise<boolean> {
    const decision = await this.admission.decide(job, messages);
    if (decision.kind === 'admitted') return false;
    if (decision.kind === 'expired') {
      await this.fail(job, 'timeout', messages.text('error.timeout'), new Error('admission_timeout'));
    } else {
      await this.deps.defer(message, decision.delayMs);
    }
    return true;
  }

  /**
   * Genie refused the question itself (429; the client leaves question POSTs to the pacer): a slower
   * pace for everyone, and this question waits for a new slot. Not a failure: the answer timeout
   * still bounds the wait. True when handled so.
   */
  private async refusedForPace(job: JobHandle, message: QuestionMessage, error: unknown): Promise<boolean> {
    if (!(error instanceof GenieHttpError) || error.status !== 429 || job.value.genie) return false;
    await this.deps.state.pacer.slowDown(error.retryAfterMs ?? 1_000).catch(() => undefined);
    await job.update({ slotAt: undefined });
    await this.deps.defer(message, 0);
    this.deps.logger.warn('question.paced_back', { job: job.value.id, user: job.value.userHash });
    return true;
  }

  /** The language the question came in; jobs recorded before languages were stored get the default. */
  private messagesOf(job: JobValue): Messages {
    return messagesFor(resolveLocale(job.locale, this.deps.config.bot.defaultLocale));
  }

  private async fail(
    job: JobHandle,
    reason: FailureReason,
    text: string,
    error: unknown,
    card?: Partial<Activity>['attachments'],
  ): Promise<void> {
    const sent = await this.replies.send(job, { text, ...(card ? { attachments: card } : {}) }, 'failed', undefined, reason);
    if (!sent) return;
    this.deps.telemetry.questionFinished('failed', reason, this.clock.now() - job.value.createdAt);
    this.deps.logger.warn('question.failed', { job: job.value.id, user: job.value.userHash, reason, error: errorCode(error) });
  }

  /** A refusal in user mode is the person's own access, named as such (with whom to ask). */
  private userMessageKeyOf(error: unknown): ReturnType<typeof userMessageKey> {
    const key = userMessageKey(error);
    return key === 'error.permission' && this.deps.userTokens ? 'error.permissionUser' : key;
  }

  /** An expired or revoked sign-in: the failure reply carries a fresh sign-in card. */
  private async signInCardFor(job: JobValue, error: unknown, messages: Messages): Promise<Partial<Activity>['attachments']> {
    const tokens = this.deps.userTokens;
    const connectionName = this.deps.config.genie.oauthConnectionName;
    if (!(error instanceof GenieSignInRequiredError) || !tokens || !connectionName) return undefined;
    try {
      return [await signInCard(tokens, connectionName, activityOfReference(job.reference), messages)];
    } catch (cardError: unknown) {
      this.deps.logger.warn('sign_in.card_failed', { job: job.id, error: errorCode(cardError) });
      return undefined;
    }
  }

  /** The service's client, or (GENIE_IDENTITY=user) one asking with the asker's token, fetched now and again on a 401. */
  private async genieFor(job: JobValue): Promise<GenieClient> {
    return genieAs(await this.deps.genie(), this.deps.userTokens, tokenUserOfReference(job.reference));
  }

  /** The space an answer names (when several are offered): Genie's title, else its alias; never throws. */
  private async answerSpaceOf(job: JobValue): Promise<AnswerSpace | undefined> {
    if (!this.spaces.several) return undefined;
    const space = this.spaces.byId(job.genie?.spaceId ?? job.spaceId);
    try {
      const who = this.deps.userTokens ? personKeyOf(tokenUserOfReference(job.reference)) : 'service';
      return await this.spaces.view(space, await this.genieFor(job), who);
    } catch {
      return { title: space.alias };
    }
  }

  private async ask(job: JobHandle, onStatus: (status: string) => void): Promise<AskResult> {
    const { question, chatKey, id, createdAt } = job.value;
    // The space the question was asked in (jobs from before GENIE_SPACES: the default).
    const spaceId = job.value.spaceId ?? this.deps.config.databricks.spaceId;
    const genie = (await this.genieFor(job.value)).inSpace(spaceId);
    const options = {
      budgetMs: this.deps.config.genie.answerTimeoutMs,
      clock: this.clock,
      onStatus,
      ...(this.deps.schedule ? { schedule: this.deps.schedule } : {}),
    };
    const recorded = job.value.genie;
    if (recorded) return askGenie(genie, { ...options, question, resume: recorded });

    const lease = await this.deps.state.sessions.acquire(chatKey, id, { spaceId, askedAt: createdAt });
    let asked = false;
    try {
      return await askGenie(genie, {
        ...options,
        question,
        ...(lease.kind === 'continue' ? { conversationId: lease.conversationId } : {}),
        onAsked: async (ref) => {
          asked = true;
          // Recorded before waiting: a retry resumes this Genie message instead of asking again.
          await mustRecord(job, 'genie_ids', () => job.update({ state: 'asked', genie: ref }), this.recording);
          await mustRecord(job, 'session', () => this.deps.state.sessions.recordAsked(chatKey, ref, lease), this.recording);
        },
      });
    } catch (error: unknown) {
      if (!asked) await this.deps.state.sessions.release(chatKey, lease);
      throw error;
    }
  }
}
