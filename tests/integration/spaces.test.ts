import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import { DEMO_OPS_SPACE_ID, DEMO_SPACE_ID, type GenieEmulator } from '../../dev/genie-emulator';
import { sweep } from '../../shared/app';
import { type Activity, type Card, cardOf, executeActions } from '../helpers/cards';
import { type BotHarness, startBotHarness, UNBUNDLED_APP } from '../helpers/harness';

const SALES_TITLE = 'Sales (Genie emulator demo)';
const SALES_QUESTION = 'Top 5 products by revenue';
const OPS_QUESTION = 'Late shipments by warehouse';
const OPS_FOLLOW_UP = 'Open incidents by severity';
const PINNED_CHANNEL = '19:ops-channel@thread.tacv2';
const SPACES = `sales=${DEMO_SPACE_ID};ops=${DEMO_OPS_SPACE_ID}`;

describe('several Genie spaces (GENIE_SPACES, GENIE_SPACE_PINS)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  const say = (text: string, conversationId: string, extra: Activity = {}) =>
    harness.post({ ...userMessage(connector.url, text, { conversationId }), ...extra });
  const shown = (conversationId: string) => connector.messages(conversationId).map((m) => m.activity);
  /** The `count`-th message the bot sends in the chat (1-based), once it is there. */
  const nth = async (conversationId: string, count: number): Promise<Activity> => {
    await connector.waitFor(() => shown(conversationId).length >= count);
    return shown(conversationId)[count - 1]!;
  };
  const askedIn = () => genie.messages().map((m) => [m.spaceId, m.content]);

  before(async () => {
    // The demo data (answers in tens of ms), a sales and an ops space, one channel pinned to ops. The
    // unbundled app: the sweep is called in process.
    harness = await startBotHarness(
      { GENIE_SPACES: SPACES, GENIE_SPACE_PINS: `${PINNED_CHANNEL}=ops`, SAMPLE_QUESTIONS: SALES_QUESTION },
      { demo: true, timeScale: 0.01 },
      UNBUNDLED_APP,
    );
    ({ genie, connector } = harness);
  });
  afterEach(() => genie.reset());
  after(() => harness.close());

  it('lists the spaces as a card with one button each, with Genie’s titles and descriptions', async () => {
    await say('spaces', 'a:list');
    const card = cardOf(await nth('a:list', 1));
    const text = JSON.stringify(card);
    assert.match(text, new RegExp(SALES_TITLE.replace(/[()]/g, '\\$&')));
    assert.match(text, /warehouses, shipments and incidents/, 'the description Genie gives');
    const buttons = executeActions(card);
    assert.deepEqual(
      buttons.map((b) => (b.data as { alias: string }).alias),
      ['sales', 'ops'],
    );
    assert.ok(buttons.every((b) => b.verb === 'genie.useSpace'));
    assert.equal(genie.messages().length, 0, 'a command asks Genie nothing');
  });

  it('switches with `use`: the next question starts a new conversation in the new space, follow-ups stay there', async () => {
    const chat = 'a:switch';
    await say(SALES_QUESTION, chat);
    const salesAnswer = await nth(chat, 1);
    assert.match(JSON.stringify(cardOf(salesAnswer)), new RegExp(`From \\*\\*${SALES_TITLE.replace(/[()]/g, '\\$&')}`));

    await say('use ops', chat);
    const switched = await nth(chat, 2);
    assert.equal(cardOf(switched), undefined, 'a plain message');
    assert.match(String(switched.text), /Now asking \*\*Operations/);

    await say(OPS_QUESTION, chat);
    const opsAnswer = JSON.stringify(cardOf(await nth(chat, 3)));
    assert.match(opsAnswer, /Rotterdam/, 'the ops data');
    assert.match(opsAnswer, /From \*\*Operations/, 'the card names the space');
    await say(OPS_FOLLOW_UP, chat);
    await nth(chat, 4);

    assert.deepEqual(askedIn(), [
      [DEMO_SPACE_ID, SALES_QUESTION],
      [DEMO_OPS_SPACE_ID, OPS_QUESTION],
      [DEMO_OPS_SPACE_ID, OPS_FOLLOW_UP],
    ]);
    const [sales, ops, followUp] = genie.messages();
    assert.notEqual(ops?.conversationId, sales?.conversationId, 'a new conversation in the new space');
    assert.equal(followUp?.conversationId, ops?.conversationId, 'the follow-up continues it');
    assert.equal(genie.stats().conversationsCreated, 2);
  });

  it('switches with the card’s button, bound to the chat the card was sent to', async () => {
    await say('spaces', 'a:button');
    const ops = executeActions(cardOf(await nth('a:button', 1))).find((b) => (b.data as { alias: string }).alias === 'ops')!;
    const press = (conversationId: string) =>
      harness.post({
        ...userMessage(connector.url, '', { conversationId }),
        type: 'invoke',
        name: 'adaptiveCard/action',
        text: undefined,
        value: { action: { type: 'Action.Execute', verb: ops.verb, data: ops.data } },
      });

    const elsewhere = await press('a:other-chat');
    assert.equal(elsewhere.status, 403, 'a button pressed in another chat switches nothing');

    const pressed = await press('a:button');
    assert.equal(pressed.status, 200);
    const body = (await pressed.json()) as { type: string; value: Card };
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(body.value), /Now asking \*\*Operations/, 'the card is replaced by one saying so');

    await say(OPS_QUESTION, 'a:button');
    await nth('a:button', 2);
    await say(OPS_QUESTION, 'a:other-chat');
    await nth('a:other-chat', 1);
    assert.deepEqual(askedIn(), [
      [DEMO_OPS_SPACE_ID, OPS_QUESTION],
      [DEMO_SPACE_ID, OPS_QUESTION],
    ]);
  });

  it('answers an unknown alias with a plain message naming the valid ones', async () => {
    await say('use finance', 'a:unknown');
    const reply = await nth('a:unknown', 1);
    assert.equal(cardOf(reply), undefined);
    assert.match(String(reply.text), /“finance” isn’t one of my Genie spaces\. Choose one of: \*\*sales\*\*, \*\*ops\*\*/);
    await say(SALES_QUESTION, 'a:unknown');
    await nth('a:unknown', 2);
    assert.deepEqual(askedIn(), [[DEMO_SPACE_ID, SALES_QUESTION]], 'the chat stayed in its space');
  });

  it('answers a pinned channel from its space, and refuses to switch it', async () => {
    const conversationId = `${PINNED_CHANNEL};messageid=1`;
    const inChannel = (text: string) =>
      harness.post({
        ...userMessage(connector.url, text, { conversationId, conversationType: 'channel', mentionBot: true }),
        channelData: { team: { id: '19:team@thread.tacv2' }, channel: { id: PINNED_CHANNEL }, tenant: { id: 'tenant-1' } },
      });
    await inChannel('use sales');
    const refused = await nth(conversationId, 1);
    assert.match(String(refused.text), /always asks \*\*Operations.*can’t be switched/);
    await inChannel(OPS_QUESTION);
    assert.match(JSON.stringify(cardOf(await nth(conversationId, 2))), /From \*\*Operations/);
    assert.deepEqual(askedIn(), [[DEMO_OPS_SPACE_ID, OPS_QUESTION]]);
  });

  it('shows the chat’s space on the help card, with the sample questions only in the default space', async () => {
    await say('help', 'a:help');
    const salesHelp = JSON.stringify(cardOf(await nth('a:help', 1)));
    assert.match(salesHelp, /You’re asking \*\*Sales/);
    assert.match(salesHelp, /imBack/, 'SAMPLE_QUESTIONS belong to the default space');
    await say('use ops', 'a:help');
    await nth('a:help', 2);
    await say('help', 'a:help');
    const opsHelp = JSON.stringify(cardOf(await nth('a:help', 3)));
    assert.match(opsHelp, /You’re asking \*\*Operations/);
    assert.doesNotMatch(opsHelp, /imBack/, 'no sample questions for another space');
  });

  it('sweeps each expired conversation in the space it belongs to', async () => {
    const chat = 'a:sweep';
    await say(SALES_QUESTION, chat);
    await nth(chat, 1);
    await say('use ops', chat);
    await nth(chat, 2);
    await say(OPS_QUESTION, chat);
    await nth(chat, 3);
    const [sales, ops] = genie.messages();
    assert.deepEqual([sales?.spaceId, ops?.spaceId], [DEMO_SPACE_ID, DEMO_OPS_SPACE_ID]);

    // Two days on: the chat's session (ops) and the conversation it left behind (sales) have expired.
    await sweep(Date.now() + 2 * 24 * 60 * 60_000);
    assert.deepEqual(genie.stats().conversationsDeleted.sort(), [sales!.conversationId, ops!.conversationId].sort());
    // The emulator deletes a conversation only in its own space: elsewhere it is 404 (which the sweep takes as gone).
    assert.equal(genie.stats().responses['delete-conversation 200'], 2);
  });
});
