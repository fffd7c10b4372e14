import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, type RecordedActivity, streamInfoOf, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { type BotHarness, startBotHarness } from '../helpers/harness';

/** Genie works through its stages over a few polls, so the worker has progress to show. */
const SLOW_STEPS = [
  { status: 'SUBMITTED', afterMs: 0 },
  { status: 'FETCHING_METADATA', afterMs: 500 },
  { status: 'ASKING_AI', afterMs: 2_000 },
  { status: 'EXECUTING_QUERY', afterMs: 3_500 },
  { status: 'COMPLETED', afterMs: 5_000 },
];

const ANSWER = {
  steps: SLOW_STEPS,
  queries: [
    {
      title: 'Orders by region',
      sql: 'SELECT region, COUNT(*) FROM demo.sales.orders GROUP BY 1',
      result: { columns: [{ name: 'region', type_name: 'STRING' }], rows: [['EMEA']] },
    },
  ],
  text: 'EMEA leads.',
};

const streamed = (received: RecordedActivity[], conversationId: string): RecordedActivity[] =>
  received.filter((r) => r.conversationId === conversationId && streamInfoOf(r.activity));

const answered = (connector: FakeConnector, conversationId: string) => () =>
  connector.messages(conversationId).some((m) => Array.isArray(m.activity.attachments));

describe('live progress: a Teams stream in personal chats, the status line elsewhere (what the fake connector receives)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    harness = await startBotHarness({ STATUS_MESSAGE_DELAY_SECONDS: '1', STREAM_PROGRESS: 'true' });
    ({ genie, connector } = harness);
  });
  after(() => harness.close());

  it("streams Genie's stages as informative updates with one stream id and rising sequence numbers, then the card as the final message", async () => {
    genie.script('Orders by region?', ANSWER);
    const conversationId = 'a:stream-personal';
    assert.equal((await harness.post(userMessage(connector.url, 'Orders by region?', { conversationId }))).status, 200);
    await connector.waitFor(answered(connector, conversationId), 20_000);

    const stream = streamed(connector.received, conversationId);
    const updates = stream.filter((r) => streamInfoOf(r.activity)?.streamType === 'informative');
    const final = stream.filter((r) => streamInfoOf(r.activity)?.streamType === 'final');
    assert.ok(updates.length >= 2, `several informative updates (got ${updates.length})`);
    assert.equal(final.length, 1, 'one final message');
    for (const update of updates) assert.equal(update.activity.type, 'typing');
    assert.equal(streamInfoOf(updates[0]!.activity)?.streamId, undefined, 'the first update starts the stream');
    const streamId = updates[0]!.id;
    for (const r of [...updates.slice(1), ...final]) assert.equal(streamInfoOf(r.activity)?.streamId, streamId, 'one stream id');
    const sequences = updates.map((r) => streamInfoOf(r.activity)?.streamSequence as number);
    assert.equal(sequences[0], 1);
    assert.deepEqual(
      sequences,
      [...sequences].sort((a, b) => a - b),
      'sequence numbers rise',
    );
    assert.equal(new Set(sequences).size, sequences.length, 'no sequence number twice');
    const texts = updates.map((r) => r.activity.text);
    assert.ok(texts.includes('🔎 Finding the right tables…'), `Genie's stages in words: ${texts.join(' | ')}`);
    assert.ok(texts.includes('✍️ Writing the query…'));

    // The final message is the answer: the card, the AI label, Teams' feedback buttons; nothing else was posted.
    const answer = final[0]!.activity;
    assert.equal(answer.type, 'message');
    assert.ok(Array.isArray(answer.attachments) && answer.attachments.length === 1, 'the card rides on the final message');
    const entities = answer.entities as Record<string, unknown>[];
    assert.ok(
      entities.some((e) => e.type === 'https://schema.org/Message'),
      'the AI label rides on the final message',
    );
    assert.deepEqual((answer.channelData as { feedbackLoop?: unknown }).feedbackLoop, { type: 'default' });
    assert.deepEqual(
      connector.messages(conversationId).map((m) => m.id),
      [streamId],
      'one message in the chat: no status line beside the stream',
    );
    assert.equal(
      connector.attempts({ conversationId, which: (a) => !!streamInfoOf(a) }),
      stream.length,
      'the connector refused no stream request',
    );
  });

  it('keeps the status line in a group chat: no stream', async () => {
    genie.script('Orders by region in the group?', ANSWER);
    const conversationId = '19:group-stream@thread.v2';
    const activity = userMessage(connector.url, 'Orders by region in the group?', {
      conversationId,
      conversationType: 'groupChat',
      mentionBot: true,
    });
    assert.equal((await harness.post(activity)).status, 200);
    await connector.waitFor(answered(connector, conversationId), 20_000);
    assert.equal(streamed(connector.received, conversationId).length, 0, 'no streaminfo in a group chat');
    const [answer] = connector.messages(conversationId);
    assert.ok(Array.isArray(answer?.activity.attachments), 'the answer took the place of the status line');
    assert.equal(answer?.updates, 1, 'the status line was posted, then replaced by the answer');
  });

  it('falls back to the status line and a normal message when Teams refuses an update, and never restarts the stream', async () => {
    genie.script('Orders by region, refused?', ANSWER);
    const conversationId = 'a:stream-refused';
    connector.fault({ status: 403, conversationId, which: (a) => streamInfoOf(a)?.streamSequence === 2 });
    assert.equal((await harness.post(userMessage(connector.url, 'Orders by region, refused?', { conversationId }))).status, 200);
    await connector.waitFor(answered(connector, conversationId), 20_000);
    assert.equal(
      connector.attempts({ conversationId, which: (a) => !!streamInfoOf(a) }),
      2,
      'the first update and the refused second: nothing streamed after the refusal',
    );
    const [answer] = connector.messages(conversationId);
    assert.equal(streamInfoOf(answer!.activity), undefined, 'the answer is a normal message');
    assert.ok(Array.isArray(answer!.activity.attachments));
    assert.equal(answer!.updates, 1, 'it replaced the status line posted after the refusal');
  });
});
