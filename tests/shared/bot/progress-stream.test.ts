import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, streamInfoOf } from '../../../dev/fake-connector';
import { BotHost } from '../../../shared/bot';
import { Admission } from '../../../shared/bot/admission';
import { JobHandle } from '../../../shared/bot/job-handle';
import { ProgressStreams, STREAM_CAP_MARGIN_MS, STREAM_CAP_MS } from '../../../shared/bot/progress';
import { messagesFor } from '../../../shared/i18n';
import { ManualClock } from '../../../shared/runtime';
import type { BotState, JobValue } from '../../../shared/state';
import { memoryState, recordingLogger, referenceTo, testConfig } from './fixtures';

/**
 * The stream's record on the job is what lets any attempt continue or end it: these run the
 * protocol against the fake connector (which refuses what Teams refuses) on an injected clock.
 */
describe('ProgressStreams: one stream per question, recorded on the job', () => {
  let connector: FakeConnector;
  let host: BotHost;
  let clock: ManualClock;
  let state: BotState;
  let nextJob = 0;
  const config = testConfig({ STREAM_PROGRESS: 'true' });

  before(async () => {
    // The clock here is a manual one: the connector's own pacing check would see requests microseconds apart.
    connector = await startFakeConnector({ streams: { minIntervalMs: 0 } });
    host = new BotHost(config.bot, () => Promise.resolve());
    clock = new ManualClock(1_000_000);
    state = memoryState(config, clock);
  });
  after(() => connector.close());

  const streams = (logger = recordingLogger()) => new ProgressStreams({ config, sender: host, logger, clock });

  async function newJob(conversationType = 'personal'): Promise<{ handle: () => Promise<JobHandle>; conversationId: string }> {
    const id = `stream-job-${++nextJob}`;
    const conversationId = `a:stream-${nextJob}`;
    const reference = { ...referenceTo(connector, conversationId), conversation: { id: conversationId, conversationType } };
    await state.jobs.create({ id, chatKey: `t|${conversationId}`, question: 'Q?', reference, userHash: 'u' });
    // Each call reads the job afresh, as another attempt would.
    return { handle: async () => new JobHandle(state, (await state.jobs.get(id))!), conversationId };
  }

  const sequences = (conversationId: string) =>
    connector.received.filter((r) => r.conversationId === conversationId).map((r) => streamInfoOf(r.activity)?.streamSequence ?? 'final');

  it('a later attempt continues the stream with the next number, and its reply ends it', async () => {
    const { handle, conversationId } = await newJob();
    assert.equal(await streams().inform(await handle(), 'Finding the right tables…'), true);
    clock.advance(1_000);
    // A retry after a crash: a new worker, the job read again.
    const retry = await handle();
    assert.equal(await streams().inform(retry, 'Writing the query…'), true);
    assert.deepEqual(retry.value.stream && { id: retry.value.stream.id, sequence: retry.value.stream.sequence }, {
      id: connector.received.find((r) => r.conversationId === conversationId)?.id,
      sequence: 2,
    });
    const id = await streams().finish((await handle()).value, { attachments: [] });
    assert.equal(id, retry.value.stream?.id, 'the streamed message keeps the stream id');
    assert.deepEqual(sequences(conversationId), [1, 2, 'final']);
  });

  it('ends the stream before Teams’ cap, with the progress text as the status line the reply replaces', async () => {
    const { handle, conversationId } = await newJob();
    await streams().inform(await handle(), 'Finding the right tables…');
    clock.advance(STREAM_CAP_MS - STREAM_CAP_MARGIN_MS);
    const job = await handle();
    assert.equal(await streams().inform(job, 'Running it on the warehouse…'), true);
    const value: JobValue = job.value;
    assert.equal(value.stream?.over, true);
    assert.equal(value.statusActivityId, value.stream?.id, 'the final message is the status line now');
    assert.equal(connector.messages(conversationId)[0]?.activity.text, 'Running it on the warehouse…');
    assert.equal(await streams().inform(job, 'Running it on the warehouse…'), false, 'no restart');
    assert.equal(await streams().finish(job.value, { text: 'answer' }), undefined, 'the reply goes the status line’s way');
    assert.deepEqual(sequences(conversationId), [1, 'final']);
  });

  it('a refused update ends streaming for the question: nothing more is sent into it', async () => {
    const { handle, conversationId } = await newJob();
    await streams().inform(await handle(), 'Finding the right tables…');
    connector.fault({ status: 403, conversationId });
    clock.advance(1_000);
    const logger = recordingLogger();
    assert.equal(await streams(logger).inform(await handle(), 'Writing the query…'), false);
    assert.ok(logger.events().includes('stream.refused'));
    clock.advance(1_000);
    assert.equal(await streams().inform(await handle(), 'Running it on the warehouse…'), false);
    assert.equal(await streams().finish((await handle()).value, { text: 'answer' }), undefined);
    assert.equal(connector.attempts({ conversationId }), 2);
  });

  it('a refused final message leaves the reply to a normal message; a connector that is down fails the reply (it is retried)', async () => {
    const refused = await newJob();
    await streams().inform(await refused.handle(), 'Finding the right tables…');
    connector.fault({ status: 400, conversationId: refused.conversationId });
    assert.equal(await streams().finish((await refused.handle()).value, { text: 'answer' }), undefined);

    const down = await newJob();
    await streams().inform(await down.handle(), 'Finding the right tables…');
    connector.fault({ status: 500, conversationId: down.conversationId });
    await assert.rejects(streams().finish((await down.handle()).value, { text: 'answer' }));
  });

  it('the admission’s waiting notice is an update of the same stream, and so is the line once Genie has the question', async () => {
    const paced = testConfig({ STREAM_PROGRESS: 'true', GENIE_QUESTIONS_PER_MINUTE: '1', STATUS_MESSAGE_DELAY_SECONDS: '1' });
    const pacedState = memoryState(paced, clock);
    const admission = new Admission({
      config: paced,
      state: pacedState,
      sender: host,
      logger: recordingLogger(),
      clock,
      streams: streams(),
    });
    const job = async (id: string, conversationId: string): Promise<JobHandle> => {
      const reference = { ...referenceTo(connector, conversationId), conversation: { id: conversationId, conversationType: 'personal' } };
      await pacedState.jobs.create({ id, chatKey: `t|${conversationId}`, question: 'Q?', reference, userHash: 'u' });
      return new JobHandle(pacedState, (await pacedState.jobs.get(id))!);
    };
    const messages = messagesFor('en-US');
    assert.equal((await admission.decide(await job('paced-first', 'a:paced-first'), messages)).kind, 'admitted');
    const waiting = await job('paced-second', 'a:paced-second');
    assert.equal((await admission.decide(waiting, messages)).kind, 'wait');
    clock.advance(60_000);
    assert.equal((await admission.decide(waiting, messages)).kind, 'admitted');
    const sent = connector.received.filter((r) => r.conversationId === 'a:paced-second');
    assert.deepEqual(
      sent.map((r) => [streamInfoOf(r.activity)?.streamSequence, r.activity.type]),
      [
        [1, 'typing'],
        [2, 'typing'],
      ],
    );
    assert.match(String(sent[0]?.activity.text), /ahead of yours/);
    assert.equal(sent[1]?.activity.text, messages.text('status.looking'));
    assert.equal(connector.messages('a:paced-second').length, 0, 'no status line message beside the stream');
  });

  it('does not stream in group chats, or when STREAM_PROGRESS is false', async () => {
    const group = await newJob('groupChat');
    assert.equal(await streams().inform(await group.handle(), 'Finding the right tables…'), false);
    const off = new ProgressStreams({ config: testConfig({ STREAM_PROGRESS: 'false' }), sender: host, logger: recordingLogger(), clock });
    const personal = await newJob();
    assert.equal(await off.inform(await personal.handle(), 'Finding the right tables…'), false);
    assert.equal(
      connector.attempts({ conversationId: group.conversationId }) + connector.attempts({ conversationId: personal.conversationId }),
      0,
    );
  });
});
