import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { GenieEmulator } from '../../../dev/genie-emulator';
import { AnswerWorker } from '../../../shared/bot';
import { HOST_SETTINGS } from '../../../shared/config';
import { GenieClient, patTokenSource } from '../../../shared/genie';
import type { KeepAliveHttpClient } from '../../../shared/http';
import type { ManualClock } from '../../../shared/runtime';
import type { BotState, JobValue } from '../../../shared/state';
import { eventually } from '../../helpers/servers';
import { memoryState, quietTelemetry, recordingLogger, RecordingSender, testConfig, useEmulatedGenie } from './fixtures';

const QUESTION = 'How many orders this week?';
const CHAT_KEY = 'tenant-1|a:chat-1';
const REFERENCE = { serviceUrl: 'http://127.0.0.1:9/teams', channelId: 'msteams', conversation: { id: 'a:chat-1' }, bot: { id: '28:bot' } };

describe('AnswerWorker against the Genie emulator', { timeout: 60_000 }, () => {
  let clock: ManualClock;
  let genie: GenieEmulator;
  let http: KeepAliveHttpClient;
  let state: BotState;
  let sender: RecordingSender;
  let worker: AnswerWorker;
  let logger: ReturnType<typeof recordingLogger>;
  /** Another worker on the same store, sender and Genie: a second instance. */
  let secondWorker: () => AnswerWorker;
  let nextJob = 0;
  /** Messages handed back to come again later (a job another worker has). */
  let deferred: { jobId: string; delayMs: number }[];

  const emulated = useEmulatedGenie();

  beforeEach(() => {
    ({ clock, genie, http } = emulated);
    genie.reset();
    genie.script(QUESTION, {
      text: 'Seven orders.',
      queries: [{ title: 'Orders', sql: 'SELECT 7', result: { columns: [{ name: 'orders', type_name: 'LONG' }], rows: [['7']] } }],
    });
    const config = testConfig({
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      STATUS_MESSAGE_DELAY_SECONDS: '0',
    });
    state = memoryState(config, clock);
    sender = new RecordingSender();
    deferred = [];
    const client = new GenieClient({
      host: genie.url,
      spaceId: genie.spaceId,
      http,
      tokens: patTokenSource(genie.token),
      clock,
      random: () => 0.5,
    });
    logger = recordingLogger();
    secondWorker = () =>
      new AnswerWorker({
        config,
        state,
        sender,
        genie: () => Promise.resolve(client),
        logger,
        telemetry: quietTelemetry(logger, clock),
        clock,
        // The pace here is high: only a job another worker has is handed back (admission.test.ts covers waiting).
        defer: (message, delayMs) => {
          deferred.push({ jobId: message.jobId, delayMs });
          return Promise.resolve();
        },
      });
    worker = secondWorker();
  });

  async function newJob(question = QUESTION): Promise<string> {
    const id = `job-${++nextJob}`;
    await state.jobs.create({ id, chatKey: CHAT_KEY, question, reference: REFERENCE, userHash: 'user-hash' });
    return id;
  }

  async function job(id: string): Promise<JobValue> {
    const found = await state.jobs.get(id);
    assert.ok(found, `job ${id} exists`);
    return found.value;
  }

  const questionsAsked = (): number => genie.stats().requests['start-conversation'] + genie.stats().requests['create-message'];
  const cardsSent = (): number => sender.messages.filter((m) => m.activity.attachments?.length).length;

  it('asks Genie, replies with the answer card in the chat the question came from, and finishes the job', async () => {
    const id = await newJob();
    await worker.process({ jobId: id }, 1);
    assert.equal(questionsAsked(), 1);
    assert.equal(sender.messages.length, 1);
    assert.equal(cardsSent(), 1);
    assert.deepEqual(sender.messages[0]?.reference, REFERENCE);
    assert.match(JSON.stringify(sender.messages[0]?.activity), /Seven orders\./);
    const done = await job(id);
    assert.equal(done.state, 'answered');
    assert.equal(done.question, '', 'the question is not kept once answered');
    assert.ok(done.card, 'the card is kept for a rating');
    assert.equal(
      (await state.sessions.current(CHAT_KEY))?.value.conversationId,
      done.genie?.conversationId,
      'the chat continues this Genie conversation',
    );
  });

  it('leaves a finished job alone: no Genie call, nothing sent', async () => {
    const id = await newJob();
    await worker.process({ jobId: id }, 1);
    const requests = genie.stats().requests['get-message'];
    await worker.process({ jobId: id }, 2);
    assert.equal(sender.messages.length, 1);
    assert.equal(questionsAsked(), 1);
    assert.equal(genie.stats().requests['get-message'], requests);
  });

  it('ignores a job that does not exist', async () => {
    await worker.process({ jobId: 'never-recorded' }, 1);
    assert.equal(questionsAsked(), 0);
    assert.equal(sender.messages.length, 0);
  });

  it('resumes the recorded Genie message on the next attempt instead of asking again', async () => {
    const id = await newJob();
    sender.failNext(new Error('connector unreachable'));
    await assert.rejects(worker.process({ jobId: id }, 1), /connector unreachable/);
    const interrupted = await job(id);
    assert.equal(interrupted.state, 'asked', 'the claim to reply was given back');
    assert.ok(interrupted.genie, 'the Genie message is recorded');

    await worker.process({ jobId: id }, 2);
    assert.equal(questionsAsked(), 1, 'one question, asked once');
    assert.equal(cardsSent(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  it('replies once: a second delivery while the first is sending sends nothing and comes back later', async () => {
    const id = await newJob();
    const release = sender.holdNext();
    const first = worker.process({ jobId: id }, 1);
    await eventually(async () => (await job(id)).state === 'replying', 5_000, 'the first attempt claims the reply');
    await worker.process({ jobId: id }, 2);
    assert.deepEqual(
      deferred.map((d) => d.jobId),
      [id],
      'handed back, not dropped: if the first worker dies, the job is not stranded',
    );
    release();
    await first;
    assert.equal(sender.messages.length, 1);
    assert.equal(questionsAsked(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  it('takes over a reply whose sender died mid-send once its lease has run out', async () => {
    const id = await newJob();
    const found = (await state.jobs.get(id))!;
    await state.jobs.update(found, { state: 'replying' });
    await worker.process({ jobId: id }, 1);
    assert.equal(sender.messages.length, 0, 'within the lease the reply is another worker’s');
    assert.ok(deferred[0]!.delayMs > 60_000, 'the message comes back once the lease has run out');
    clock.advance(3 * 60_000);
    await worker.process({ jobId: id }, 2);
    assert.equal(cardsSent(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  it('throws a transient failure back to the queue, and tells the user on the last attempt', async () => {
    const id = await newJob();
    genie.fault({ endpoint: 'start-conversation', status: 500, times: HOST_SETTINGS.maxDequeueCount });
    for (let attempt = 1; attempt < HOST_SETTINGS.maxDequeueCount; attempt++) {
      await assert.rejects(worker.process({ jobId: id }, attempt));
      assert.equal(sender.messages.length, 0, `attempt ${attempt} tells the user nothing yet`);
    }
    await worker.process({ jobId: id }, HOST_SETTINGS.maxDequeueCount);
    assert.equal(sender.messages.length, 1);
    assert.equal(typeof sender.messages[0]?.activity.text, 'string');
    const failed = await job(id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempts, HOST_SETTINGS.maxDequeueCount);
    assert.ok(failed.failure);
    assert.equal(await state.sessions.current(CHAT_KEY), undefined, 'the chat is not left claimed by a question that never started');
  });

  it('tells the user at once when Genie cannot answer (no retry would help)', async () => {
    genie.script('unanswerable', { error: { type: 'INVALID_SQL_EXCEPTION', message: 'bad SQL' } });
    const id = await newJob('unanswerable');
    await worker.process({ jobId: id }, 1);
    assert.equal(sender.messages.length, 1);
    assert.equal(cardsSent(), 0);
    assert.equal((await job(id)).state, 'failed');
  });

  it('poison: tells the user once, and not at all for an answered job', async () => {
    const id = await newJob();
    await worker.poison({ jobId: id });
    assert.equal(sender.messages.length, 1);
    assert.match(String(sender.messages[0]?.activity.text), /again/i);
    assert.equal((await job(id)).state, 'failed');
    await worker.poison({ jobId: id });
    assert.equal(sender.messages.length, 1, 'a second poison delivery sends nothing more');

    const answered = await newJob();
    await worker.process({ jobId: answered }, 1);
    await worker.poison({ jobId: answered });
    assert.equal(sender.messages.length, 2, 'only the answer');
    assert.equal((await job(answered)).state, 'answered');
  });

  /** A job whose Genie message is recorded and answered, the first reply having failed: the next attempts only reply. */
  async function askedJob(): Promise<string> {
    const id = await newJob();
    sender.failNext(new Error('connector unreachable'));
    await assert.rejects(worker.process({ jobId: id }, 1));
    assert.equal((await job(id)).state, 'asked');
    return id;
  }

  it('two workers on one store: the second waits for the first’s lease, and exactly one answer is sent', async () => {
    const id = await askedJob();
    const release = sender.holdNext();
    const other = secondWorker();
    const both = Promise.all([worker.process({ jobId: id }, 2), other.process({ jobId: id }, 2)]);
    await eventually(async () => (await job(id)).state === 'replying', 5_000, 'one worker claims the reply');
    const claim = (await job(id)).replyClaim;
    assert.ok(claim?.by, 'the claim names its owner');
    assert.equal(deferred.length, 1, 'the other worker found the job leased and handed it back');
    release();
    await both;
    assert.equal(cardsSent(), 1);
    assert.equal(questionsAsked(), 1);
    const done = await job(id);
    assert.equal(done.state, 'answered');
    assert.equal(done.replyClaim, undefined, 'the claim ends with the reply');
  });

  it('a worker whose lease lapsed mid-send (stalled, not dead) still cannot reply twice: the reply claim holds', async () => {
    const id = await askedJob();
    const release = sender.holdNext();
    const stalled = worker.process({ jobId: id }, 2);
    await eventually(async () => (await job(id)).state === 'replying', 5_000, 'the first worker claims the reply');
    clock.advance(61_000);
    await secondWorker().process({ jobId: id }, 3);
    assert.equal(deferred.length, 1, 'the lease has lapsed, the reply claim has not: handed back');
    release();
    await stalled;
    assert.equal(cardsSent(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  /** Storage refuses the next `times` job writes that `matches` picks, as during an outage. */
  function failJobWrites(times: number, matches: (patch: Partial<JobValue>) => boolean): void {
    const update = state.jobs.update.bind(state.jobs);
    let left = times;
    state.jobs.update = (current, patch) => {
      if (matches(patch) && left-- > 0) return Promise.reject(new Error('storage unreachable'));
      return update(current, patch);
    };
  }

  it('records Genie’s ids through a short storage outage, so the question is not asked again', async () => {
    const id = await newJob();
    failJobWrites(2, (patch) => patch.genie !== undefined);
    await worker.process({ jobId: id }, 1);
    assert.equal(questionsAsked(), 1);
    assert.equal((await job(id)).state, 'answered');
    assert.ok(logger.events().includes('job.record_retry'));
  });

  it('records a sent answer through a short storage outage, so it is not sent again', async () => {
    const id = await newJob();
    failJobWrites(3, (patch) => patch.state === 'answered');
    await worker.process({ jobId: id }, 1);
    await worker.process({ jobId: id }, 2);
    assert.equal(cardsSent(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  it('a give-back after a failed send only undoes the giver’s own claim', async () => {
    const id = await askedJob();
    const release = sender.holdNext();
    const stale = worker.process({ jobId: id }, 2);
    await eventually(async () => (await job(id)).state === 'replying', 5_000, 'the first worker claims the reply');
    clock.advance(3 * 60_000);
    await secondWorker().process({ jobId: id }, 3);
    assert.equal((await job(id)).state, 'answered', 'the claim ran out and another worker answered');
    sender.failNext(new Error('connector unreachable'));
    release();
    await assert.rejects(stale, /connector unreachable/);
    assert.equal((await job(id)).state, 'answered', 'the stale worker did not hand the job back');
    assert.equal(cardsSent(), 1);
  });

  it('poison while another worker is replying sends nothing, and the answer still arrives', async () => {
    const id = await askedJob();
    const release = sender.holdNext();
    const replying = worker.process({ jobId: id }, 2);
    await eventually(async () => (await job(id)).state === 'replying', 5_000, 'the worker claims the reply');
    await assert.rejects(worker.poison({ jobId: id }, 1), { name: 'ReplyInProgressError' }, 'retried later, not sent');
    await worker.poison({ jobId: id }, HOST_SETTINGS.maxDequeueCount);
    release();
    await replying;
    assert.equal(sender.messages.length, 1);
    assert.equal(cardsSent(), 1);
    assert.equal((await job(id)).state, 'answered');
  });

  it('poison that cannot reach the chat is retried, then closes the job as failed with an operator error', async () => {
    const id = await newJob();
    sender.failNext(new Error('connector unreachable'));
    await assert.rejects(worker.poison({ jobId: id }, 1), /connector unreachable/);
    assert.equal((await job(id)).state, 'queued', 'still open: the next poison attempt tries again');
    sender.failNext(new Error('connector unreachable'));
    await worker.poison({ jobId: id }, HOST_SETTINGS.maxDequeueCount);
    assert.equal(sender.messages.length, 0);
    const closed = await job(id);
    assert.equal(closed.state, 'failed', 'not left open forever');
    assert.equal(closed.failure, 'internal');
    assert.ok(logger.events().includes('question.untold'), 'operators hear the user was not told');
  });
});
