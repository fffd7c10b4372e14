import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { type Activity, TestAdapter } from 'botbuilder';

import { userMessage } from '../../../dev/fake-connector';
import { chatKeyOf, GenieBot, jobIdOf, MAX_QUESTION_CHARS, RetryLaterError } from '../../../shared/bot';
import type { GenieClient } from '../../../shared/genie';
import { ManualClock } from '../../../shared/runtime';
import type { BotState, QuestionDispatcher, QuestionMessage } from '../../../shared/state';
import { eventually } from '../../helpers/servers';
import { memoryState, quietTelemetry, recordingLogger, RecordingSender, testConfig } from './fixtures';

const SERVICE_URL = 'http://127.0.0.1:9/teams';

/** Our dispatcher interface, recording hand-offs; `failing` makes the next hand-offs throw. */
class RecordingDispatcher implements QuestionDispatcher {
  readonly mode = 'inline';
  readonly dispatched: QuestionMessage[] = [];
  failing = 0;

  dispatch(message: QuestionMessage): Promise<void> {
    if (this.failing > 0) {
      this.failing--;
      return Promise.reject(new Error('queue unreachable'));
    }
    this.dispatched.push(message);
    return Promise.resolve();
  }
}

describe('GenieBot', () => {
  let clock: ManualClock;
  let state: BotState;
  let dispatcher: RecordingDispatcher;
  let sender: RecordingSender;
  let logger: ReturnType<typeof recordingLogger>;
  let bot: GenieBot;

  beforeEach(() => {
    const config = testConfig({ SAMPLE_QUESTIONS: 'What were sales last week?' });
    clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
    state = memoryState(config, clock);
    dispatcher = new RecordingDispatcher();
    sender = new RecordingSender();
    logger = recordingLogger();
    const genie = () => Promise.reject<GenieClient>(new Error('the webhook never calls Genie for a question'));
    bot = new GenieBot({ config, state, dispatcher, sender, genie, logger, telemetry: quietTelemetry(logger, clock) });
  });

  /** One turn, as the channel would deliver it; resolves with what the bot replied in the turn. */
  async function turn(activity: Record<string, unknown>): Promise<Partial<Activity>[]> {
    const adapter = new TestAdapter();
    await adapter.processActivity(activity, (context) => bot.run(context));
    return adapter.activeQueue.filter((reply) => reply.type === 'message');
  }

  const cardsIn = (replies: Partial<Activity>[]): number =>
    replies.filter((r) => r.attachments?.[0]?.contentType === 'application/vnd.microsoft.card.adaptive').length;

  it('records a question as a job, hands it off, and replies nothing in the turn', async () => {
    const message = userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm1', conversationId: 'a:chat-1', mentionBot: true });
    assert.deepEqual(await turn(message), []);
    assert.equal(dispatcher.dispatched.length, 1);
    const job = await state.jobs.get(dispatcher.dispatched[0]!.jobId);
    assert.ok(job, 'the dispatched job is recorded');
    assert.equal(job.value.state, 'queued');
    assert.equal(job.value.question, 'What were sales last week?', 'the @mention is not part of the question');
    assert.equal(job.value.chatKey, chatKeyOf(message as Partial<Activity>));
    assert.equal((job.value.reference.conversation as { id: string }).id, 'a:chat-1', 'the worker can reply in the chat');
    assert.equal(job.value.reference.serviceUrl, SERVICE_URL);
    // The typing indicator follows the turn, through the sender, without retries.
    await eventually(() => sender.typing === 1, 2_000, 'typing indicator');
  });

  /** What a worker's first look leaves on a job: it is no longer untouched. */
  async function touch(jobId: string): Promise<void> {
    const job = await state.jobs.get(jobId);
    assert.ok(job);
    clock.advance(1);
    assert.ok(await state.jobs.update(job, { worker: { by: 'a-worker', until: clock.now() + 60_000 } }));
  }

  it('takes a redelivered activity once', async () => {
    const message = userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm-redelivered', conversationId: 'a:chat-1' });
    await turn(message);
    await touch(jobIdOf('a:chat-1', 'm-redelivered'));
    assert.deepEqual(await turn(message), [], 'the redelivery gets no reply');
    assert.deepEqual(
      dispatcher.dispatched.map((m) => m.jobId),
      [jobIdOf('a:chat-1', 'm-redelivered')],
      'one job, one hand-off',
    );
    assert.ok(logger.events().includes('message.duplicate'));
    // The same id in another conversation is another activity.
    await turn(userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm-redelivered', conversationId: 'a:chat-2' }));
    assert.equal(dispatcher.dispatched[1]!.jobId, jobIdOf('a:chat-2', 'm-redelivered'));
  });

  it('asks the channel to deliver again when the hand-off fails, and takes that redelivery', async () => {
    dispatcher.failing = 1;
    const message = userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm-handoff', conversationId: 'a:chat-1' });
    await assert.rejects(turn(message), RetryLaterError);
    assert.equal(dispatcher.dispatched.length, 0);
    assert.ok(logger.events().includes('question.handoff_failed'));

    assert.deepEqual(await turn(message), [], 'the redelivery is accepted quietly');
    assert.equal(dispatcher.dispatched.length, 1);
  });

  it('takes a redelivery whose first delivery claimed the activity but could not record the job or give the claim back', async () => {
    const message = userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm-stuck', conversationId: 'a:chat-1' });
    // What a failed first delivery leaves behind when storage went down right after the claim.
    assert.ok(await state.dedup.firstSeen('a:chat-1', 'm-stuck'));
    assert.deepEqual(await turn(message), []);
    assert.equal(dispatcher.dispatched.length, 1);
    assert.equal(dispatcher.dispatched[0]!.jobId, jobIdOf('a:chat-1', 'm-stuck'));
    assert.ok(await state.jobs.get(jobIdOf('a:chat-1', 'm-stuck')), 'the job is recorded');
    // Once the job is recorded and a worker has it, a redelivery is a duplicate.
    await touch(jobIdOf('a:chat-1', 'm-stuck'));
    await turn(message);
    assert.equal(dispatcher.dispatched.length, 1);
  });

  it('hands a job off again when it is redelivered before any worker touched it (the first hand-off may be lost)', async () => {
    const message = userMessage(SERVICE_URL, 'What were sales last week?', { id: 'm-lost', conversationId: 'a:chat-1' });
    await turn(message);
    assert.deepEqual(await turn(message), [], 'still no reply in the turn');
    const job = jobIdOf('a:chat-1', 'm-lost');
    assert.deepEqual(
      dispatcher.dispatched.map((m) => m.jobId),
      [job, job],
      'the same job again: its worker lease lets one worker work it',
    );
    assert.equal((await state.jobs.get(job))?.value.question, 'What were sales last week?', 'the job is not recorded twice');
  });

  it('takes a command once even when redelivered', async () => {
    const message = userMessage(SERVICE_URL, 'help', { id: 'm-help', conversationId: 'a:chat-1' });
    assert.equal(cardsIn(await turn(message)), 1);
    assert.deepEqual(await turn(message), []);
  });

  it('answers help with the help card, and asks Genie nothing', async () => {
    for (const text of ['help', '/Help', 'help?']) {
      const replies = await turn(userMessage(SERVICE_URL, text, { conversationId: 'a:chat-1' }));
      assert.equal(cardsIn(replies), 1, text);
    }
    assert.equal(dispatcher.dispatched.length, 0);
  });

  it('starts a new Genie conversation on new/reset', async () => {
    const message = userMessage(SERVICE_URL, 'reset', { conversationId: 'a:chat-1' });
    const chatKey = chatKeyOf(message);
    await state.sessions.recordAsked(chatKey, {
      spaceId: testConfig().databricks.spaceId,
      conversationId: 'genie-conv-1',
      messageId: 'genie-msg-1',
    });
    assert.ok(await state.sessions.current(chatKey), 'the chat had a Genie conversation');

    const replies = await turn(message);
    assert.equal(replies.length, 1);
    assert.match(String(replies[0]?.text), /new/i);
    assert.equal(await state.sessions.current(chatKey), undefined, 'the next question starts a new conversation');
    assert.equal(dispatcher.dispatched.length, 0);
  });

  it('refuses a question over the length limit without recording it', async () => {
    const replies = await turn(userMessage(SERVICE_URL, 'x'.repeat(MAX_QUESTION_CHARS + 1), { conversationId: 'a:chat-1' }));
    assert.equal(replies.length, 1);
    assert.equal(dispatcher.dispatched.length, 0);
    await turn(userMessage(SERVICE_URL, 'x'.repeat(MAX_QUESTION_CHARS), { conversationId: 'a:chat-1' }));
    assert.equal(dispatcher.dispatched.length, 1, 'exactly the limit is accepted');
  });

  it('explains that it reads text when a message has none, but stays quiet for a card submit', async () => {
    assert.equal((await turn(userMessage(SERVICE_URL, '', { conversationId: 'a:chat-1' }))).length, 1);
    assert.equal((await turn(userMessage(SERVICE_URL, '', { conversationId: 'a:chat-1', value: { action: 'x' } }))).length, 0);
    assert.equal(dispatcher.dispatched.length, 0);
  });

  it('welcomes once per conversation, however often it is announced', async () => {
    const added = (id: string): Record<string, unknown> => ({
      ...userMessage(SERVICE_URL, '', { id, conversationId: 'a:chat-welcome' }),
      type: 'conversationUpdate',
      membersAdded: [{ id: '28:bot' }],
    });
    assert.equal(cardsIn(await turn(added('u1'))), 1);
    assert.equal(cardsIn(await turn(added('u2'))), 0);
    assert.equal(cardsIn(await turn({ ...added('u3'), type: 'installationUpdate', action: 'add' })), 0);
  });
});
