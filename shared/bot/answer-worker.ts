import type { Activity } from 'botbuilder';

import { type AppConfig, HOST_SETTINGS } from '../config';
import {
  askGenie,
  type AskResult,
  type FailureReason,
  failureReasonOf,
  type GenieClient,
  GenieError,
  GenieSignInRequiredError,
  type PollSchedule,
  userMessageKey,
} from '../genie';
import { ensureError } from '../http';
import { type Messages, messagesFor, resolveLocale } from '../i18n';
import { type Clock, systemClock } from '../runtime';
import { type BotState, isFinished, type JobValue, type QuestionMessage, type Versioned } from '../state';
import { type Logger, type Telemetry, truncateForLog } from '../telemetry';
import type { ConversationSender, UserTokens } from './adapter';
import { attachment, renderAnswerCard } from './cards';
import { activityOfReference, genieAs, signInCard, tokenUserOfReference } from './sign-in';

/** A reply older than this in state `replying` is taken to have died mid-send. */
const REPLY_LEASE_MS = 2 * 60_000;

export interface AnswerWorkerDependencies {
  readonly config: AppConfig;
  readonly state: BotState;
  readonly sender: ConversationSender;
  readonly genie: () => Promise<GenieClient>;
  /** The token service (GENIE_IDENTITY=user): each question is asked with its asker's current token. */
  readonly userTokens?: UserTokens;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly clock?: Clock;
  readonly schedule?: PollSchedule;
  /** Typing indicator repeat. @default 3000 */
  readonly typingIntervalMs?: number;
}

/** Errors worth another attempt from the queue (Genie or storage unreachable), not ones the user must hear about. */
function isTransient(error: unknown): boolean {
  if (error instanceof GenieError)
    return error.retryable && (error.reason === 'network' || error.reason === 'internal' || error.reason === 'rate_limited');
  return true;
}

function errorCode(error: unknown): string {
  const e = ensureError(error) as Error & { status?: number; errorCode?: string; statusCode?: number; type?: string };
  return [e.name, e.errorCode ?? e.type, e.status ?? e.statusCode].filter((p) => p !== undefined).join(':');
}

/** The job as this worker sees it; updates are serialized and retried once on a conflict. */
class JobHandle {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: BotState,
    public current: Versioned<JobValue>,
  ) {}

  get value(): JobValue {
    return this.current.value;
  }

  update(patch: Partial<Omit<JobValue, 'id'>>): Promise<void> {
    this.chain = this.chain.then(async () => {
      const updated = (await this.state.jobs.update(this.current, patch)) ?? (await this.reloadAndApply(patch));
      if (updated) this.current = updated;
    });
    return this.chain;
  }

  private async reloadAndApply(patch: Partial<Omit<JobValue, 'id'>>): Promise<Versioned<JobValue> | undefined> {
    const fresh = await this.state.jobs.get(this.current.key);
    return fresh ? this.state.jobs.update(fresh, patch) : undefined;
  }

  async reload(): Promise<Versioned<JobValue> | undefined> {
    await this.chain;
    const fresh = await this.state.jobs.get(this.current.key);
    if (fresh) this.current = fresh;
    return fresh;
  }
}

/**
 * Answers one recorded question: asks Genie (or resumes the recorded Genie message), waits, and
 * replies in the chat the question came from. Safe to run again: a retried job never asks twice
 * once the Genie ids are recorded, and sends nothing once answered.
 */
export class AnswerWorker {
  private readonly clock: Clock;

  constructor(private readonly deps: AnswerWorkerDependencies) {
    this.clock = deps.clock ?? systemClock;
  }

  /** One attempt at a question, inside a `genie.answer` span joined to the host's trace when tracing is on. */
  process(message: QuestionMessage, dequeueCount: number, traceparent?: string): Promise<void> {
    return this.deps.telemetry.answerAttempt(traceparent, () => this.attempt(message, dequeueCount));
  }

  private async attempt(message: QuestionMessage, dequeueCount: number): Promise<void> {
    const { jobs } = this.deps.state;
    const found = await jobs.get(message.jobId);
    if (!found) {
      this.deps.logger.warn('job.missing', { job: message.jobId });
      return;
    }
    if (isFinished(found.value.state)) return;
    if (found.value.state === 'replying' && this.clock.now() - found.value.updatedAt < REPLY_LEASE_MS) return;
    const job = new JobHandle(this.deps.state, found);
    const messages = this.messagesOf(found.value);
    await job.update({ attempts: found.value.attempts + 1 });
    const log = { job: message.jobId, user: found.value.userHash, attempt: dequeueCount };

    const stopTyping = this.keepTyping(job.value.reference);
    // Once the status line is up it tells the user we are on it: typing can stop.
    const status = this.scheduleStatusLine(job, messages.text('status.looking'), stopTyping);
    try {
      const result = await this.ask(job);
      const { answer } = result;
      if (this.deps.config.telemetry.logQuestionText) {
        // Genie's payload holds the question and result rows: only with LOG_QUESTION_TEXT, at debug, compacted.
        this.deps.logger.debug('genie.answer', { ...log, payload: JSON.stringify(truncateForLog(answer)) });
      }
      const card = renderAnswerCard(
        answer,
        { ...this.deps.config.cards, locale: messages.locale },
        { kind: 'buttons', job: message.jobId },
      );
      stopTyping();
      await status.cancel();
      const sent = await this.reply(job, { attachments: [attachment(card)] }, 'answered', card);
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
      stopTyping();
      await status.cancel();
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
      stopTyping();
    }
  }

  /** After the host's last attempt: the user hears their question could not be answered. */
  async poison(message: QuestionMessage): Promise<void> {
    const found = await this.deps.state.jobs.get(message.jobId);
    if (!found || isFinished(found.value.state)) return;
    await this.fail(
      new JobHandle(this.deps.state, found),
      'internal',
      this.messagesOf(found.value).text('reply.poison'),
      new Error('poison'),
    );
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

  private async ask(job: JobHandle): Promise<AskResult> {
    const genie = await this.genieFor(job.value);
    const { question, chatKey, id } = job.value;
    const options = {
      budgetMs: this.deps.config.genie.answerTimeoutMs,
      clock: this.clock,
      ...(this.deps.schedule ? { schedule: this.deps.schedule } : {}),
    };
    const recorded = job.value.genie;
    if (recorded) return askGenie(genie, { ...options, question, resume: recorded });

    const lease = await this.deps.state.sessions.acquire(chatKey, id);
    let asked = false;
    try {
      return await askGenie(genie, {
        ...options,
        question,
        ...(lease.kind === 'continue' ? { conversationId: lease.conversationId } : {}),
        onAsked: async (ref) => {
          asked = true;
          // Recorded before waiting: a retry resumes this Genie message instead of asking again.
          await job.update({ state: 'asked', genie: ref });
          await this.deps.state.sessions.recordAsked(chatKey, ref, lease);
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
    const latest = await job.reload();
    if (!latest || isFinished(latest.value.state)) return false;
    const claimed = await this.deps.state.jobs.update(latest, { state: 'replying' });
    if (!claimed) return false;
    job.current = claimed;
    const { reference, statusActivityId } = claimed.value;
    try {
      let replaced = false;
      if (statusActivityId) {
        try {
          await this.deps.sender.update(reference, statusActivityId, activity);
          replaced = true;
        } catch (error: unknown) {
          this.deps.logger.warn('reply.replace_failed', { job: claimed.value.id, error: errorCode(error) });
        }
      }
      if (!replaced) await this.deps.sender.send(reference, activity);
    } catch (error: unknown) {
      // Nothing reached the chat: give the claim back, so the next attempt sends instead of waiting it out.
      await job.update({ state: latest.value.state });
      throw error;
    }
    await job.update({ state: final, ...(card ? { card } : {}), ...(failure ? { failure } : {}) });
    return true;
  }

  /**
   * Typing indicators while Genie works (Teams shows each for a few seconds). The webhook sent the
   * first one; the worker keeps it going.
   */
  private keepTyping(reference: JobValue['reference']): () => void {
    const send = (): void => {
      this.deps.sender.send(reference, { type: 'typing' }, { retry: false }).catch((error: unknown) => {
        this.deps.logger.debug('typing.failed', { error: errorCode(error) });
      });
    };
    const timer = setInterval(send, this.deps.typingIntervalMs ?? 3_000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * One status line for slow questions, posted once the question has waited the configured delay;
   * the answer later replaces it. cancel() also waits for a post in flight, so the answer knows
   * the status line's id.
   */
  private scheduleStatusLine(job: JobHandle, statusText: string, onPosted: () => void): { cancel: () => Promise<void> } {
    const delay = this.deps.config.answers.statusMessageDelayMs;
    if (delay <= 0 || job.value.statusActivityId) return { cancel: () => Promise.resolve() };
    let posting: Promise<void> | undefined;
    const wait = Math.max(0, job.value.createdAt + delay - this.clock.now());
    const timer = setTimeout(() => {
      posting = (async () => {
        try {
          const id = await this.deps.sender.send(job.value.reference, { text: statusText });
          onPosted();
          if (id) await job.update({ statusActivityId: id });
        } catch (error: unknown) {
          this.deps.logger.warn('status.failed', { job: job.value.id, error: errorCode(error) });
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
}
