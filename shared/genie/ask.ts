import { type Clock, type Random, systemClock } from '../runtime';
import { readAnswer } from './answer';
import type { GenieClient } from './client';
import { decodeStatement } from './decode';
import { GenieAnswerError, GenieCancelledError, GenieHttpError, GenieWaitTimeoutError } from './errors';
import { DEFAULT_POLL_SCHEDULE, FINAL_STATUSES, nextPollDelay, phaseOf, type PollSchedule } from './poll';
import type { GenieAnswer, GenieMessage, GenieMessageRef, StatementResponse } from './types';

export interface AskOptions {
  readonly question: string;
  /** Continue this Genie conversation; absent: start a new one. */
  readonly conversationId?: string;
  /** Resume waiting for a message asked earlier (a retried job): nothing is asked again. */
  readonly resume?: GenieMessageRef;
  /** Called once Genie has accepted the question and before waiting: the job records the ids here. */
  readonly onAsked?: (ref: GenieMessageRef, newConversation: boolean) => Promise<void>;
  /** Called whenever the status changes while waiting. */
  readonly onStatus?: (status: string) => void;
  /** @default DEFAULT_POLL_SCHEDULE */
  readonly schedule?: PollSchedule;
  /** Longest wait for the answer, from the first poll. @default 600000 */
  readonly budgetMs?: number;
  readonly clock?: Clock;
  readonly random?: Random;
}

export interface AskResult {
  readonly answer: GenieAnswer;
  /** A new Genie conversation was started (none was given, or the given one no longer exists). */
  readonly newConversation: boolean;
  /** GET message calls made while waiting. */
  readonly polls: number;
  readonly waitedMs: number;
}

export interface WaitResult {
  readonly message: GenieMessage;
  readonly polls: number;
  readonly waitedMs: number;
}

/**
 * Looks at a message on the {@link PollSchedule} until it reaches a final status or the budget
 * runs out. Unknown statuses count as "still working"; statuses may go back (Genie retries itself).
 */
export async function pollUntilAnswered(
  client: Pick<GenieClient, 'getMessage'>,
  ref: GenieMessageRef,
  options: Pick<AskOptions, 'schedule' | 'budgetMs' | 'clock' | 'random' | 'onStatus'> = {},
): Promise<WaitResult> {
  const schedule = options.schedule ?? DEFAULT_POLL_SCHEDULE;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const budgetMs = options.budgetMs ?? 600_000;
  const started = clock.now();
  let polls = 0;
  let lastStatus: string | undefined;
  let phase = phaseOf(undefined);
  let phaseSince = started;
  // Jittered like every other look, so questions asked together do not poll together.
  await clock.sleep(Math.min(budgetMs, Math.round(schedule.firstPollMs * (1 + schedule.jitter * (2 * random() - 1)))));
  for (;;) {
    const message = await client.getMessage(ref);
    polls++;
    const status = message.status;
    const now = clock.now();
    if (status && FINAL_STATUSES.has(status)) return { message, polls, waitedMs: now - started };
    if (status !== lastStatus) {
      lastStatus = status;
      if (status) options.onStatus?.(status);
      if (phaseOf(status) !== phase) {
        phase = phaseOf(status);
        phaseSince = now;
      }
    }
    const remaining = budgetMs - (now - started);
    if (remaining <= 0) throw new GenieWaitTimeoutError(now - started, lastStatus);
    // The last look lands exactly on the deadline rather than skipping it.
    await clock.sleep(Math.min(remaining, nextPollDelay(schedule, status, now - phaseSince, random)));
  }
}

async function readTable(client: GenieClient, answer: GenieAnswer, expired: boolean): Promise<StatementResponse | undefined> {
  const attachmentId = answer.query?.attachmentId;
  if (!attachmentId) return undefined;
  if (expired) return client.executeQuery(answer.ref, attachmentId);
  let statement: StatementResponse;
  try {
    statement = await client.getQueryResult(answer.ref, attachmentId);
  } catch (error: unknown) {
    // An expired result may also show as a client error on the read: re-running is the remedy.
    const expiredRead = error instanceof GenieHttpError && [400, 404, 410].includes(error.status);
    if (!expiredRead) throw error;
    return client.executeQuery(answer.ref, attachmentId);
  }
  const state = statement.status?.state;
  if (state === 'CLOSED' || (!statement.result && !statement.manifest && state !== 'FAILED')) {
    return client.executeQuery(answer.ref, attachmentId);
  }
  return statement;
}

/**
 * Asks Genie (or resumes waiting for an earlier question), waits for the answer and reads it with
 * its table. Throws a {@link GenieAnswerError} when Genie failed the question,
 * {@link GenieCancelledError} when it was cancelled, {@link GenieWaitTimeoutError} past the budget.
 */
export async function askGenie(client: GenieClient, options: AskOptions): Promise<AskResult> {
  let ref = options.resume;
  let newConversation = false;
  if (!ref) {
    if (options.conversationId) {
      try {
        ref = (await client.createMessage(options.conversationId, options.question)).ref;
      } catch (error: unknown) {
        // The conversation was deleted (expired session swept, or removed in Databricks): start afresh.
        if (!(error instanceof GenieHttpError && error.status === 404)) throw error;
      }
    }
    if (!ref) {
      ref = (await client.startConversation(options.question)).ref;
      newConversation = true;
    }
    await options.onAsked?.(ref, newConversation);
  }

  const { message, polls, waitedMs } = await pollUntilAnswered(client, ref, options);
  const status = message.status;
  if (status === 'FAILED') throw new GenieAnswerError(message.error?.type, message.error?.error);
  if (status === 'CANCELLED') throw new GenieCancelledError();

  const answer = readAnswer(ref, message);
  const statement = await readTable(client, answer, status === 'QUERY_RESULT_EXPIRED');
  if (statement?.status?.state === 'FAILED') {
    throw new GenieAnswerError('SQL_EXECUTION_EXCEPTION', statement.status.error?.message);
  }
  const table = statement ? decodeStatement(statement) : undefined;
  return { answer: table ? { ...answer, table } : answer, newConversation, polls, waitedMs };
}
