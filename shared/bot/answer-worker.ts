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
import {
  type BotState,
  heldByOtherForMs,
  isFinished,
  isReplyHeldByOther,
  type JobValue,
  type QuestionMessage,
  type ReplyClaim,
  type Versioned,
} from '../state';
import { type Logger, type Telemetry, truncateForLog } from '../telemetry';
import type { ConversationSender, UserTokens } from './adapter';
import { Admission } from './admission';
import { attachment, jsonBytes, plainText, renderAnswerCard, text as textBlock } from './cards';
import { aiLabelFor, type AnswerSpace } from './citations';
import { errorCode } from './error-code';
import { TEAMS_FEEDBACK_LOOP } from './feedback-loop';
import { claimedBy, JobHandle, leasedBy } from './job-handle';
import { ProgressStreams, showProgress } from './progress';
import { activityOfReference, genieAs, personKeyOf, signInCard, tokenUserOfReference } from './sign-in';
import { SpaceDirectory } from './spaces';

/** A reply older than this in state `replying` is taken to have died mid-send. */
const REPLY_LEASE_MS = 2 * 60_000;
/** A worker's hold on a job, renewed every third of it while it works; a dead worker's job is taken over after this. */
const WORKER_LEASE_MS = 60_000;
/** Tries at a write that must not be lost before giving up (1, 2, 4, 8 s apart: a short storage outage passes). */
const MUST_RECORD_TRIES = 5;

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

  constructor(private readonly deps: AnswerWorkerDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.spaces = deps.spaces ?? new SpaceDirectory(deps.config, this.clock);
    this.streams = new ProgressStreams({ ...deps, clock: this.clock });
    this.admission = new Admission({ ...deps, clock: this.clock, streams: this.streams });
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
    const owner = randomUUID();
    const lease = await this.lease(found, owner);
    if (lease.kind === 'done') return;
    if (lease.kind === 'busy') {
      // Someone else is on it (this is a second delivery): look again once they should be done, holding no worker.
      await this.deps.defer(message, lease.forMs + 1_000);
      return;
    }
    const { job } = lease;
    const renewal = setInterval(() => {
      job.update({ worker: { by: owner, until: this.clock.now() + WORKER_LEASE_MS } }, leasedBy(owner)).catch((error: unknown) => {
        this.deps.logger.warn('job.lease_renewal_failed', { job: message.jobId, error: errorCode(error) });
      });
    }, WORKER_LEASE_MS / 3);
    renewal.unref();
    try {
      await this.work(job, message, dequeueCount);
    } finally {
      clearInterval(renewal);
      // Let go, so a retry need not wait the lease out (best effort: it lapses anyway).
      if (!isFinished(job.value.state)) await job.update({ worker: undefined }, leasedBy(owner)).catch(() => undefined);
    }
  }

  /** The job leased to `owner`; or how long it is still someone else's; or nothing left to do. */
  private async lease(
    found: Versioned<JobValue>,
    owner: string,
  ): Promise<{ kind: 'mine'; job: JobHandle } | { kind: 'busy'; forMs: number } | { kind: 'done' }> {
    let latest: Versioned<JobValue> | undefined = found;
    for (let look = 0; look < 3; look++) {
      if (!latest || isFinished(latest.value.state)) return { kind: 'done' };
      const now = this.clock.now();
      const forMs = heldByOtherForMs(latest.value, owner, now, REPLY_LEASE_MS);
      if (forMs > 0) return { kind: 'busy', forMs };
      const leased = await this.deps.state.jobs.update(latest, { worker: { by: owner, until: now + WORKER_LEASE_MS } });
      if (leased) return { kind: 'mine', job: new JobHandle(this.deps.state, leased) };
      latest = await this.deps.state.jobs.get(found.key);
    }
    return { kind: 'busy', forMs: 0 };
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
      // Every Genie answer carries Teams' AI label; its citations count against the card's budget.
      const from = await space;
      const label = aiLabelFor(answer, messages, from);
      const spaceLine = from
        ? [textBlock(messages.text('card.fromSpace', { title: plainText(from.title) }), { isSubtle: true, size: 'Small' })]
        : [];
      const labelBytes = jsonBytes(label.entity) + jsonBytes(label.text ?? '') + jsonBytes(spaceLine);
      const { cards } = this.deps.config;
      const card = renderAnswerCard(
        answer,
        { ...cards, maxBytes: cards.maxBytes - labelBytes, locale: messages.locale },
        { kind: 'buttons', job: message.jobId },
      );
      await progress.stop();
      // The [n] markers go inside the card: an activity of text and a card is two messages in Teams, and
      // the status line (one part) cannot be replaced by two. One message, one set of feedback buttons.
      const cited = {
        ...card,
        body: [
          ...spaceLine,
          ...card.body,
          ...(label.text ? [textBlock(label.text, { isSubtle: true, size: 'Small', spacing: 'Small' })] : []),
        ],
      };
      const activity = { attachments: [attachment(cited)], entities: [label.entity], channelData: TEAMS_FEEDBACK_LOOP };
      const sent = await this.reply(job, activity, 'answered', cited);
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
    const sent = await this.reply(job, { text, ...(card ? { attachments: card } : {}) }, 'failed', undefined, reason);
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
          await this.mustRecord(job, 'genie_ids', () => job.update({ state: 'asked', genie: ref }));
          await this.mustRecord(job, 'session', () => this.deps.state.sessions.recordAsked(chatKey, ref, lease));
        },
      });
    } catch (error: unknown) {
      if (!asked) await this.deps.state.sessions.release(chatKey, lease);
      throw error;
    }
  }

  /**
   * Sends the reply once: the job moves to `replying` first (one worker wins), the reply replaces
   * the status line when there is one (a new message when replacing fails), then the job is done.
   */
  private async reply(
    job: JobHandle,
    activity: Partial<Activity>,
    final: 'answered' | 'failed',
    card?: JobValue['card'],
    failure?: FailureReason,
  ): Promise<boolean> {
    const owner = randomUUID();
    const claimed = await this.claimReply(job, owner);
    if (!claimed) return false;
    const mine = claimedBy(owner);
    const { reference, statusActivityId } = claimed.value;
    let delivered: string | undefined;
    try {
      // In a personal chat the reply ends the question's progress stream, when one is open.
      delivered = await this.streams.finish(claimed.value, activity);
      if (delivered === undefined && statusActivityId) {
        try {
          await this.deps.sender.update(reference, statusActivityId, activity);
          delivered = statusActivityId;
        } catch (error: unknown) {
          this.deps.logger.warn('reply.replace_failed', { job: claimed.value.id, error: errorCode(error) });
        }
      }
      if (delivered === undefined) {
        delivered = await this.deps.sender.send(reference, activity);
        if (statusActivityId) {
          // A stale "Looking at your data…" above the answer is only untidy: failing to remove it fails nothing.
          await this.deps.sender
            .delete(reference, statusActivityId)
            .catch((error: unknown) =>
              this.deps.logger.warn('reply.status_delete_failed', { job: claimed.value.id, error: errorCode(error) }),
            );
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
    await this.mustRecord(job, 'reply', () => job.update(sentPatch, mine));
    if (answerActivityId) {
      // Teams' feedback buttons name the answer by its Teams message id: without the index they find nothing (logged, not fatal).
      await this.deps.state.answers.record(claimed.value.chatKey, answerActivityId, claimed.value.id).catch((error: unknown) => {
        this.deps.logger.warn('answer.index_failed', { job: claimed.value.id, error: errorCode(error) });
      });
    }
    return true;
  }

  /**
   * A write after a step that must not be repeated (Genie took the question, the chat took the reply):
   * doing the step again would ask or answer twice, so a short storage outage is waited out. Past
   * that the error stands, and a later attempt may repeat the step.
   */
  private async mustRecord(job: JobHandle, what: string, write: () => Promise<unknown>): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await write();
        return;
      } catch (error: unknown) {
        if (tries >= MUST_RECORD_TRIES) throw error;
        this.deps.logger.warn('job.record_retry', { job: job.value.id, what, error: errorCode(error) });
        await this.clock.sleep(1_000 * 2 ** (tries - 1));
      }
    }
  }

  /**
   * Takes the right to send: refused while someone else's claim is fresh; after an ETag conflict
   * the job is read again and judged afresh (another worker may have claimed or finished it).
   */
  private async claimReply(job: JobHandle, owner: string): Promise<Versioned<JobValue> | undefined> {
    for (let look = 0; look < 3; look++) {
      const latest = await job.reload();
      if (!latest || isFinished(latest.value.state)) return undefined;
      const now = this.clock.now();
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
