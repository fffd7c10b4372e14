import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { type BotHarness, startBotHarness } from '../helpers/harness';
import { delay } from '../helpers/servers';

type Card = { body: Record<string, unknown>[] };

function cardOf(activity: Record<string, unknown>): Card | undefined {
  return (activity.attachments as { content: Card }[] | undefined)?.[0]?.content;
}

/** The Action.Execute / Action.Submit payloads in a card, by button title. */
function buttons(card: Card | undefined): Map<string, Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  const visit = (element: Record<string, unknown>): void => {
    if (typeof element.type === 'string' && element.type.startsWith('Action.') && typeof element.title === 'string')
      found.set(element.title, element);
    for (const child of [
      ...((element.items as Record<string, unknown>[]) ?? []),
      ...((element.actions as Record<string, unknown>[]) ?? []),
    ])
      visit(child);
  };
  card?.body.forEach(visit);
  return found;
}

const SLOW = {
  steps: [
    { status: 'ASKING_AI', afterMs: 0 },
    { status: 'EXECUTING_QUERY', afterMs: 900 },
    { status: 'COMPLETED', afterMs: 1_400 },
  ],
  queries: [{ title: 'Orders', sql: 'SELECT 1', result: { columns: [{ name: 'orders', type_name: 'LONG' }], rows: [['7']] } }],
  text: 'Seven orders.',
  suggestedQuestions: ['Orders by region'],
};

/** A slow answer in words only: no query, so no citations and no text beside the card. */
const SLOW_WORDS = { steps: SLOW.steps, text: 'Seven orders, in words.' };

describe('the conversation around an answer', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  const post = (activity: Record<string, unknown>) => harness.post(activity);

  before(async () => {
    // A status line after 0.3 s: slow questions (1.4 s here) get one, fast ones do not.
    harness = await startBotHarness({ STATUS_MESSAGE_DELAY_SECONDS: '0.3' });
    ({ genie, connector } = harness);
  });
  afterEach(() => genie.reset());
  after(() => harness.close());

  it('posts one status line for a slow question and replaces it with the answer in place', async () => {
    genie.script('slow words', SLOW_WORDS);
    await post(userMessage(connector.url, 'slow words', { conversationId: 'a:status' }));
    await connector.waitFor(() => connector.received.some((r) => r.conversationId === 'a:status' && r.method === 'PUT'));
    const shown = connector.messages('a:status');
    assert.equal(shown.length, 1, 'one message in the chat: the status line became the answer');
    assert.equal(shown[0]?.updates, 1);
    assert.match(JSON.stringify(shown[0]?.activity), /Seven orders, in words\./);
    const statusPost = connector.received.find(
      (r) => r.conversationId === 'a:status' && r.method === 'POST' && r.activity.type === 'message',
    );
    assert.match(String(statusPost?.activity.text), /Looking at your data/);
  });

  it('replaces the status line in place with an answer that has citations too (one part: the markers are in the card)', async () => {
    genie.script('slow', SLOW);
    await post(userMessage(connector.url, 'slow', { conversationId: 'a:cited' }));
    await connector.waitFor(() => connector.received.some((r) => r.conversationId === 'a:cited' && r.method === 'PUT'));
    const shown = connector.messages('a:cited');
    assert.equal(shown.length, 1, 'one message in the chat');
    assert.equal(shown[0]?.updates, 1);
    assert.match(JSON.stringify(shown[0]?.activity.attachments), /\[1\]/, 'the card carries the citation markers');
  });

  it('sends the answer as a new message when replacing the status line fails, and removes the stale status line', async () => {
    genie.script('slow words', SLOW_WORDS);
    connector.fail('PUT', 400);
    await post(userMessage(connector.url, 'slow words', { conversationId: 'a:no-replace' }));
    await connector.waitFor(() => connector.messages('a:no-replace').some((m) => cardOf(m.activity)));
    await connector.waitFor(() => connector.messages('a:no-replace').length === 1);
    assert.equal(connector.attempts({ conversationId: 'a:no-replace', method: 'PUT' }), 1, 'the refused update was tried once');
    assert.match(JSON.stringify(connector.messages('a:no-replace')[0]?.activity), /Seven orders, in words\./);
  });

  it('retries a throttled send (429) instead of losing the answer', async () => {
    const isCard = (activity: Record<string, unknown>): boolean => Array.isArray(activity.attachments);
    // The answer replaces the status line (PUT) or comes as a new message (POST): either is throttled.
    connector.fault({ conversationId: 'a:throttled', status: 429, times: 2, retryAfter: '0', which: isCard });
    await post(userMessage(connector.url, 'fast', { conversationId: 'a:throttled' }));
    await connector.waitFor(() => connector.messages('a:throttled').some((m) => cardOf(m.activity)), 15_000);
    assert.equal(connector.messages('a:throttled').filter((m) => cardOf(m.activity)).length, 1, 'delivered once');
    assert.equal(connector.attempts({ conversationId: 'a:throttled', which: isCard }), 3, 'two 429s, then the send that went through');
  });

  it('answers on the next attempt when the channel refused the reply, without asking Genie again', async () => {
    // Both ways of delivering the answer (replacing the status line, or a new message) refused once.
    connector.fail('PUT', 403, 1, (activity) => Array.isArray(activity.attachments));
    connector.fail('POST', 403, 1, (activity) => Array.isArray(activity.attachments));
    genie.script('refused once', SLOW);
    await post(userMessage(connector.url, 'refused once', { conversationId: 'a:refused' }));
    await connector.waitFor(() => connector.messages('a:refused').some((m) => cardOf(m.activity)), 15_000);
    assert.equal(connector.messages('a:refused').filter((m) => cardOf(m.activity)).length, 1);
    assert.equal(genie.stats().requests['start-conversation'], 1, 'the retry resumed the recorded Genie message');
  });

  it('asks the follow-up a suggestion button carries, in the same Genie conversation', async () => {
    genie.script('slow', SLOW);
    await post(userMessage(connector.url, 'slow', { conversationId: 'a:suggest' }));
    await connector.waitFor(() => connector.messages('a:suggest').some((m) => cardOf(m.activity)));
    const button = buttons(cardOf(connector.messages('a:suggest').at(-1)!.activity)).get('Orders by region');
    const payload = (button?.data as { msteams: { type: string; value: string } }).msteams;
    assert.equal(payload.type, 'imBack');
    // Teams posts an imBack value as the user's own message.
    await post(userMessage(connector.url, payload.value, { conversationId: 'a:suggest' }));
    await connector.waitFor(
      () => genie.messages().length === 2 && connector.messages('a:suggest').filter((m) => cardOf(m.activity)).length === 2,
    );
    const [first, second] = genie.messages();
    assert.equal(second?.content, 'Orders by region');
    assert.equal(second?.conversationId, first?.conversationId);
  });

  it('sends 👍 to Genie once for the exact message, and updates the card with a receipt', async () => {
    await post(userMessage(connector.url, 'rate this', { conversationId: 'a:rate' }));
    await connector.waitFor(() => connector.messages('a:rate').some((m) => cardOf(m.activity)));
    const answerCard = cardOf(connector.messages('a:rate').at(-1)!.activity);
    const up = buttons(answerCard).get('👍');
    assert.equal(up?.type, 'Action.Execute');
    const invoke = {
      ...userMessage(connector.url, '', { conversationId: 'a:rate' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: up?.verb, data: up?.data } },
    };
    const click = await post({ ...invoke, id: 'click-1' });
    assert.equal(click.status, 200);
    const body = (await click.json()) as { statusCode: number; type: string; value: Card };
    assert.equal(body.statusCode, 200);
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(body.value), /your 👍 went to Genie/);
    assert.ok(!JSON.stringify(body.value).includes('genie.feedback'), 'the buttons are gone from the updated card');

    const doubleClick = await post({ ...invoke, id: 'click-2' });
    assert.equal(doubleClick.status, 200);
    await delay(100);
    const message = genie.messages()[0]!;
    assert.deepEqual(
      genie.feedback().map((f) => [f.conversationId, f.messageId, f.rating]),
      [[message.conversationId, message.messageId, 'POSITIVE']],
      'reached Genie once, for that message',
    );
  });

  it('refuses a card action it does not know with a 4xx, not a crash', async () => {
    const response = await post({
      ...userMessage(connector.url, '', { conversationId: 'a:bogus' }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'genie.feedback', data: { rating: 'POSITIVE', ref: { spaceId: '../../etc' } } } },
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { statusCode: number; value: { message: string } };
    assert.equal(body.statusCode, 400);
    assert.match(body.value.message, /Unknown card action/);
    assert.equal(genie.feedback().length, 0);
  });
});
