import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import type { GenieEmulator } from '../../../dev/genie-emulator';
import { AnswerWorker } from '../../../shared/bot';
import type { AppConfig } from '../../../shared/config';
import { GenieClient, PACED_RETRY_POLICY, patTokenSource } from '../../../shared/genie';
import type { KeepAliveHttpClient } from '../../../shared/http';
import type { ManualClock } from '../../../shared/runtime';
import { type BotState, createBotState, createMemoryStores, type JobValue, type RecordStores } from '../../../shared/state';
import { quietTelemetry, recordingLogger, RecordingSender, testConfig, useEmulatedGenie } from './fixtures';

const QUESTION = 'How many orders this week?';
const reference = (chat: string) => ({
  serviceUrl: 'http://127.0.0.1:9/teams',
  channelId: 'msteams',
  conversation: { id: chat },
  bot: { id: '28:bot' },
});

describe('Admission: Genie’s pace across instances, one question at a time per chat', { timeout: 60_000 }, () => {
  let clock: ManualClock;
  let genie: GenieEmulator;
  let http: KeepAliveHttpClient;
  let config: AppConfig;
  let stores: RecordStores;
  let sender: RecordingSender;
  let deferred: { jobId: string; delayMs: number }[];
  let nextJob = 0;

  const emulated = useEmulatedGenie();

  beforeEach(() => {
    ({ clock, genie, http } = emulated);
    genie.reset();
    genie.script(QUESTION, { text: 'Seven orders.' });
    config = testConfig({
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      // One a minute: every question after the first waits (at 5, an idle workspace sends five at once).
      GENIE_QUESTIONS_PER_MINUTE: '1',
      GENIE_ANSWER_TIMEOUT_SECONDS: '600',
      STATUS_MESSAGE_DELAY_SECONDS: '0',
    });
    // Every instance's state is built on the same stores, as instances share Azure Table.
    stores = createMemoryStores(1_000, clock);
    sender = new RecordingSender();
    deferred = [];
  });

  /** One app instance: its own state objects and worker over the shared stores. */
  function instance(): { state: BotState; worker: AnswerWorker } {
    const state = createBotState(stores, config, clock);
    // As the app builds it: a question Genie refuses with 429 is the pacer's to retry, not the client's.
    const client = new GenieClient({
      host: genie.url,
      spaceId: genie.spaceId,
      http,
      tokens: patTokenSource(genie.token),
      clock,
      retry: PACED_RETRY_POLICY,
    });
    const logger = recordingLogger();
    const worker = new AnswerWorker({
      config,
      state,
      sender,
      genie: () => Promise.resolve(client),
      logger,
      telemetry: quietTelemetry(logger, clock),
      clock,
      defer: (message, delayMs) => {
        deferred.push({ jobId: message.jobId, delayMs });
        return Promise.resolve();
      },
    });
    return { state, worker };
  }

  async function newJob(state: BotState, chat: string): Promise<string> {
    const id = `job-${++nextJob}`;
    await state.jobs.create({ id, chatKey: `tenant|${chat}`, question: QUESTION, reference: reference(chat) });
    return id;
  }

  async function job(state: BotState, id: string): Promise<JobValue> {
    const found = await state.jobs.get(id);
    assert.ok(found);
    return found.value;
  }

  const questionsAsked = (): number => genie.stats().requests['start-conversation'] + genie.stats().requests['create-message'];
  const textsTo = (chat: string): string[] =>
    sender.messages.filter((m) => (m.reference.conversation as { id: string }).id === chat).map((m) => String(m.activity.text ?? 'card'));

  it('paces questions across two instances: later ones wait without a worker, told how many are ahead, then answered in place', async () => {
    const one = instance();
    const two = instance();
    const first = await newJob(one.state, 'a:chat-1');
    const second = await newJob(two.state, 'a:chat-2');
    const third = await newJob(one.state, 'a:chat-3');

    await one.worker.process({ jobId: first }, 1);
    await two.worker.process({ jobId: second }, 1);
    await one.worker.process({ jobId: third }, 1);
    assert.equal(questionsAsked(), 1, 'one question a slot, whichever instance takes it');
    assert.equal((await job(one.state, first)).state, 'answered');
    assert.deepEqual(
      deferred.map((d) => d.jobId),
      [second, third],
      'the waiting questions were handed back, not held',
    );
    assert.ok(
      deferred.every((d) => d.delayMs > 0 && d.delayMs <= 15_000),
      'they come back within the notice interval',
    );
    assert.match(textsTo('a:chat-2')[0] ?? '', /1 question ahead of yours — Genie answers about 1 a minute/);
    assert.match(textsTo('a:chat-3')[0] ?? '', /2 questions ahead of yours/);

    clock.advance(one.state.pacer.baseIntervalMs);
    await two.worker.process({ jobId: second }, 1);
    await one.worker.process({ jobId: third }, 1);
    assert.equal(questionsAsked(), 2, 'the third waits for its own slot');
    assert.equal((await job(two.state, second)).state, 'answered');
    const answer = sender.messages.filter((m) => (m.reference.conversation as { id: string }).id === 'a:chat-2').at(-1);
    assert.equal(answer?.kind, 'update', 'the answer replaces the waiting notice');
    assert.ok(answer?.activity.attachments?.length);

    // Answering the second moved the clock on (its polls sleep on it): the third comes back at its slot.
    clock.advance((await job(one.state, third)).slotAt! - clock.now());
    await one.worker.process({ jobId: third }, 1);
    assert.equal(questionsAsked(), 3);
    assert.equal((await job(one.state, third)).state, 'answered');
  });

  it('a redelivered waiting question keeps its slot instead of taking another', async () => {
    const { state, worker } = instance();
    await worker.process({ jobId: await newJob(state, 'a:chat-1') }, 1);
    const waiting = await newJob(state, 'a:chat-2');
    await worker.process({ jobId: waiting }, 1);
    const slotAt = (await job(state, waiting)).slotAt;
    await worker.process({ jobId: waiting }, 1);
    assert.equal((await job(state, waiting)).slotAt, slotAt);
    const later = await newJob(state, 'a:chat-3');
    await worker.process({ jobId: later }, 1);
    assert.equal((await job(state, later)).slotAt, slotAt! + state.pacer.baseIntervalMs, 'the duplicate took no slot');
  });

  it('a question back too late for its slot takes a new one, so the pace’s promise to Genie holds', async () => {
    const { state, worker } = instance();
    await worker.process({ jobId: await newJob(state, 'a:chat-1') }, 1);
    const late = await newJob(state, 'a:chat-2');
    await worker.process({ jobId: late }, 1);
    const firstSlot = (await job(state, late)).slotAt!;
    clock.advance(firstSlot - clock.now() + 5_000);
    await worker.process({ jobId: late }, 1);
    assert.equal(questionsAsked(), 1, 'not sent on a slot it missed');
    assert.equal((await job(state, late)).slotAt, firstSlot + state.pacer.baseIntervalMs, 'the next free slot instead');
    clock.advance((await job(state, late)).slotAt! - clock.now());
    await worker.process({ jobId: late }, 1);
    assert.equal((await job(state, late)).state, 'answered');
  });

  it('a question Genie refuses with 429 goes back to the pacer: a new slot, a slower pace for all, and no failure', async () => {
    const { state, worker } = instance();
    const refused = await newJob(state, 'a:chat-1');
    genie.fault({ endpoint: 'start-conversation', status: 429, retryAfter: '20' });
    await worker.process({ jobId: refused }, 1);
    const waiting = await job(state, refused);
    assert.equal(waiting.state, 'queued', 'not failed');
    assert.equal(waiting.slotAt, undefined, 'its slot is given up');
    assert.deepEqual(
      deferred.map((d) => d.jobId),
      [refused],
      'handed back to wait for a new slot',
    );
    assert.equal(genie.stats().requests['start-conversation'], 1, 'the client did not send it again by itself');
    assert.deepEqual(textsTo('a:chat-1'), [], 'the asker is told nothing alarming');
    const next = await state.pacer.take();
    assert.ok(next.at >= clock.now() + 20_000, 'nothing before Retry-After');
    assert.ok(next.intervalMs > state.pacer.baseIntervalMs, 'a slower pace');
  });

  it('answers a chat’s questions one at a time, in the order asked, and tells the second asker why it waits', async () => {
    const one = instance();
    const two = instance();
    const first = await newJob(one.state, 'a:chat-1');
    clock.advance(1);
    const second = await newJob(two.state, 'a:chat-1');

    await two.worker.process({ jobId: second }, 1);
    assert.equal(questionsAsked(), 0, 'the second question does not go to Genie before the first');
    assert.match(textsTo('a:chat-1')[0] ?? '', /queued behind the previous one/);
    assert.equal((await job(two.state, second)).slotAt, undefined, 'no pace slot is taken while waiting in the lane');

    await one.worker.process({ jobId: first }, 1);
    clock.advance(one.state.pacer.baseIntervalMs);
    await two.worker.process({ jobId: second }, 1);
    assert.equal(questionsAsked(), 2);
    assert.equal((await job(one.state, first)).state, 'answered');
    assert.equal((await job(two.state, second)).state, 'answered');
    const genieIds = [(await job(one.state, first)).genie, (await job(two.state, second)).genie];
    assert.equal(genieIds[0]?.conversationId, genieIds[1]?.conversationId, 'the follow-up continues the same Genie conversation');
  });

  it('a chat’s lane moves on when the question ahead failed', async () => {
    const { state, worker } = instance();
    const first = await newJob(state, 'a:chat-1');
    const second = await newJob(state, 'a:chat-1');
    await worker.poison({ jobId: first });
    await worker.process({ jobId: second }, 1);
    assert.equal((await job(state, second)).state, 'answered');
  });

  it('past the answer timeout a waiting question gets the plain timeout message; before it, nobody fails for the limit', async () => {
    const { state, worker } = instance();
    await worker.process({ jobId: await newJob(state, 'a:chat-1') }, 1);
    const waiting = await newJob(state, 'a:chat-2');
    for (let i = 0; i < 5; i++) await newJob(state, `a:other-${i}`).then((id) => worker.process({ jobId: id }, 1));
    await worker.process({ jobId: waiting }, 1);
    assert.equal((await job(state, waiting)).state, 'queued', 'still waiting, not failed');
    clock.advance(601_000);
    await worker.process({ jobId: waiting }, 1);
    const failed = await job(state, waiting);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.failure, 'timeout');
    assert.match(textsTo('a:chat-2').at(-1) ?? '', /took too long/);
  });
});
