/**
 * Checks, against a fixture bot, every Playground behaviour the product's end-to-end tests rely on.
 * Needs Chromium (Debian `chromium`, or CHROMIUM_PATH). Screenshots go to E2E_SCREENSHOTS or
 * /tmp/e2e-screenshots. Notes: docs/e2e-notes.md.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { type EchoBot, type ReceivedActivity, startEchoBot } from './fixtures/echo-bot';
import {
  cardButtons,
  cardCharts,
  cardTableRows,
  cardTextBlocks,
  clickCardButton,
  type E2EBrowser,
  isBotTyping,
  lastBotCard,
  messageCard,
  messageCount,
  openBrowser,
  openChannel,
  openGroupChat,
  openPersonalChat,
  openPlayground,
  type Playground,
  readChannel,
  readChat,
  replyInThread,
  screenshot,
  sendChannelMention,
  sendMention,
  sendMessage,
  startPlayground,
  waitForBotMessage,
  waitForLogLine,
  waitForThreadReply,
  waitForTyping,
} from './playground';

const SHOTS = process.env.E2E_SCREENSHOTS ?? '/tmp/e2e-screenshots';

describe('Agents Playground driven by headless Chromium', { timeout: 240_000 }, () => {
  let bot: EchoBot | undefined;
  let playground: Playground | undefined;
  let browser: E2EBrowser | undefined;
  const timings: Record<string, number> = {};

  const page = (): Page => {
    if (browser === undefined) throw new Error('browser not started');
    return browser.page;
  };
  const theBot = (): EchoBot => {
    if (bot === undefined) throw new Error('bot not started');
    return bot;
  };
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Date.now() - start;
    }
  };
  /** The next message the bot receives after `since` (an index into bot.received) that matches. */
  const receivedAfter = (since: number, match: (a: ReceivedActivity) => boolean): Promise<ReceivedActivity> =>
    theBot().waitForActivity((a) => theBot().received.indexOf(a) >= since && match(a), 15_000);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    bot = await startEchoBot();
    const endpoint = bot.endpoint;
    playground = await timed('playground start', () => startPlayground({ botEndpoint: endpoint }));
    browser = await timed('browser launch', () => openBrowser());
    const url = playground.url;
    await timed('page ready (Connected.)', () => openPlayground(page(), url));
    await openPersonalChat(page());
  });

  after(async () => {
    // Each step runs even if an earlier one throws: no process may outlive the test.
    const blocked = [...new Set(browser?.blockedRequests ?? [])];
    await Promise.allSettled([browser?.close()]);
    await Promise.allSettled([playground?.stop()]);
    await Promise.allSettled([bot?.close()]);
    console.log(`timings (ms): ${JSON.stringify(timings)}`);
    console.log(`blocked non-loopback requests: ${JSON.stringify(blocked)}`);
  });

  it('sends conversationUpdate/installationUpdate on load and round-trips a personal message', async () => {
    const p = page();
    const hello = await theBot().waitForActivity((a) => a.type === 'conversationUpdate' && a.conversationType === 'personal');
    assert.match(hello.serviceUrl, /^http:\/\/localhost:\d+\/_connector$/);
    const since = theBot().received.length;
    const before = await messageCount(p);
    await timed('round trip', async () => {
      const mine = await sendMessage(p, 'hello there');
      assert.equal(mine.from, 'user');
      assert.equal(mine.author, null);
      const reply = await waitForBotMessage(p, 'Echo: hello there', { after: before });
      assert.equal(reply.author, 'Test Bot');
      assert.equal(reply.cards, 0);
    });
    const got = await receivedAfter(since, (a) => a.type === 'message');
    assert.equal(got.text, 'hello there');
    assert.equal(got.conversationType, 'personal');
    assert.equal(got.conversationId, hello.conversationId);
    await screenshot(p, join(SHOTS, '01-round-trip.png'));
  });

  it('renders an Adaptive Card 1.5: TextBlocks, Table rows, ColumnSet, chart, buttons, full-width note', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'card');
    const message = await waitForBotMessage(p, (m) => m.cards === 1, { after: before });
    const card = messageCard(p, message.index);
    assert.deepEqual(await cardTableRows(card), [
      ['Region', 'Revenue'],
      ['EMEA', '120'],
      ['AMER', '340'],
      ['APAC', '95'],
    ]);
    const blocks = await cardTextBlocks(card);
    assert.deepEqual(blocks.slice(0, 2), ['Fixture card title', 'Second text block with markdown']);
    assert.ok(blocks.includes('Left column') && blocks.includes('Right column'), 'ColumnSet columns');
    assert.ok(!blocks.some((b) => b.startsWith('Hidden details')), 'isVisible:false is not in the DOM');
    assert.deepEqual(await cardCharts(card), ['Revenue by region, Vertical bar chart']);
    assert.ok(!message.text.includes('Chart fallback'), 'the chart renders, not its fallback');
    assert.deepEqual(await cardButtons(card), ['imBack button', 'messageBack button', 'Plain submit', 'Execute button', 'Toggle details']);
    assert.match(message.notes, /Full width control is not supported/);
    await screenshot(p, join(SHOTS, '02-card.png'));
  });

  it('Action.ToggleVisibility works locally and sends nothing', async () => {
    const p = page();
    const since = theBot().received.length;
    const card = lastBotCard(p);
    assert.deepEqual(await clickCardButton(p, 'Toggle details', { card }), { kind: 'toggle' });
    await card.getByText('Hidden details: SELECT 1').waitFor({ timeout: 5_000 });
    await clickCardButton(p, 'Toggle details', { card });
    await card.getByText('Hidden details: SELECT 1').waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(theBot().received.length, since);
  });

  it('Action.Submit (plain data): message with value and no text, nothing shown as the user', async () => {
    const p = page();
    const since = theBot().received.length;
    const before = await messageCount(p);
    const action = await clickCardButton(p, 'Plain submit');
    assert.deepEqual(action, { kind: 'submit', value: { kind: 'submit', choice: 'A' } });
    const got = await receivedAfter(since, (a) => a.type === 'message');
    assert.equal(got.text, undefined);
    assert.deepEqual(got.value, { kind: 'submit', choice: 'A' });
    assert.ok(got.replyToId, 'replyToId names the card message');
    await waitForBotMessage(p, 'Submitted: {"kind":"submit","choice":"A"}', { after: before });
    const shown = (await readChat(p)).slice(before);
    assert.ok(!shown.some((m) => m.from === 'user'), 'a submit shows no user message');
  });

  it('imBack (Teams emulation): the value is sent as the user message, visible, text only', async () => {
    const p = page();
    const since = theBot().received.length;
    const before = await messageCount(p);
    const action = await clickCardButton(p, 'imBack button');
    assert.deepEqual(action, { kind: 'imBack', text: 'imback clicked' });
    const got = await receivedAfter(since, (a) => a.type === 'message');
    assert.equal(got.text, 'imback clicked');
    assert.equal(got.value, undefined);
    const shown = (await readChat(p)).slice(before);
    assert.equal(shown[0]?.from, 'user');
    assert.equal(shown[0]?.text, 'imback clicked');
    await waitForBotMessage(p, 'Echo: imback clicked', { after: before });
  });

  it('messageBack (Teams emulation): text and value reach the bot as one message', async () => {
    const p = page();
    const since = theBot().received.length;
    const before = await messageCount(p);
    const action = await clickCardButton(p, 'messageBack button');
    assert.equal(action.kind, 'messageBack');
    const got = await receivedAfter(since, (a) => a.type === 'message');
    assert.equal(got.text, 'messageback text');
    assert.deepEqual(got.value, { kind: 'mb', n: 1 });
    // Each step waits for all it caused, so the next one counts messages from a quiet chat.
    await waitForBotMessage(p, /^Submitted: \{"kind":"mb","n":1\} text="messageback text"$/, { after: before });
  });

  it('Action.Execute: adaptiveCard/action invoke; the returned card replaces the old one in place', async () => {
    const p = page();
    const since = theBot().received.length;
    const before = await messageCount(p);
    const cardIndex = (await readChat(p)).findLastIndex((m) => m.cards > 0 && m.text.includes('Fixture card title'));
    const action = await clickCardButton(p, 'Execute button');
    assert.equal(action.kind, 'invoke');
    const got = await receivedAfter(since, (a) => a.type === 'invoke');
    assert.equal(got.name, 'adaptiveCard/action');
    assert.deepEqual(got.value, {
      action: { type: 'Action.Execute', title: 'Execute button', verb: 'doThing', data: { kind: 'execute' } },
    });
    await waitForBotMessage(p, (m) => m.index === cardIndex && m.text.includes('Executed: doThing'));
    assert.equal(await messageCount(p), before, 'no new message');
    await screenshot(p, join(SHOTS, '03-execute.png'));
  });

  it('proactive reply through continueConversationAsync to the stored reference', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'proactive 300');
    await waitForBotMessage(p, 'Proactive reply in 300 ms', { after: before });
    await waitForBotMessage(p, 'Proactive: after 300 ms', { after: before });
  });

  it('updateActivity replaces the message in place (text → text, text → card)', async () => {
    const p = page();
    let before = await messageCount(p);
    await sendMessage(p, 'update');
    const status = await waitForBotMessage(p, 'Status: working', { after: before });
    const done = await waitForBotMessage(p, 'Status: done (updated)', { after: before });
    assert.equal(done.index, status.index);
    assert.ok(!(await readChat(p)).some((m) => m.text === 'Status: working'));

    before = await messageCount(p);
    await sendMessage(p, 'update card');
    const status2 = await waitForBotMessage(p, 'Status: working', { after: before });
    const card = await waitForBotMessage(p, (m) => m.cards === 1 && m.text.includes('Updated into a card'), {
      after: before,
    });
    assert.equal(card.index, status2.index);
    await screenshot(p, join(SHOTS, '04-updated.png'));
  });

  it('deleteActivity is not implemented: 501, the message stays', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'delete');
    await waitForBotMessage(p, /Delete failed/, { after: before });
    await waitForLogLine(p, /The API to delete activity is not implemented/);
    assert.ok((await readChat(p)).some((m) => m.text === 'This message will be deleted'));
  });

  it('typing activity shows an indicator until the next message', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'typing');
    await waitForTyping(p, { timeoutMs: 5_000 });
    await waitForBotMessage(p, 'Done typing', { after: before });
    await waitForTyping(p, { state: 'hidden', timeoutMs: 5_000 });
    assert.equal(await isBotTyping(p), false);
  });

  it('renders every Teams chart type natively; an unknown element shows its fallback', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'charts');
    const last = await waitForBotMessage(p, /Chart card NoSuchChart/, { after: before });
    const charts: string[] = [];
    for (let i = before; i <= last.index; i++) {
      const m = (await readChat(p))[i];
      if (m?.from === 'bot' && m.cards > 0) charts.push(...(await cardCharts(messageCard(p, i))));
    }
    assert.deepEqual(charts, [
      'VerticalBar, Vertical bar chart',
      'HorizontalBar, Horizontal bar chart',
      'Line, Line chart',
      'Pie, Pie chart',
      'Donut, Donut chart',
      'Gauge, Gauge chart with 2 sections.',
      'VerticalBarGrouped, Vertical bar chart with 2 series',
    ]);
    assert.match(last.text, /Fallback for Chart\.NoSuchChart/);
    await screenshot(p, join(SHOTS, '05-charts.png'));
  });

  it('bot HTTP errors show only in the log panel, never in the chat', async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, 'status 503');
    await waitForLogLine(p, /message 503 status 503$/);
    await sendMessage(p, 'throw');
    await waitForLogLine(p, /message 500 throw$/);
    const shown = (await readChat(p)).slice(before);
    assert.deepEqual(
      shown.map((m) => m.from),
      ['user', 'user'],
    );
  });

  it('group chat: an @mention reaches the bot, a plain message does not', async () => {
    const p = page();
    await openGroupChat(p);
    const since = theBot().received.length;
    const before = await messageCount(p);
    await sendMessage(p, 'group without mention');
    await sendMention(p, 'group hello');
    await waitForBotMessage(p, 'Echo: group hello', { after: before });
    const got = theBot()
      .received.slice(since)
      .filter((a) => a.type === 'message');
    assert.equal(got.length, 1);
    assert.equal(got[0]?.text, '<at>Test Bot</at> group hello');
    assert.equal(got[0]?.conversationType, 'groupChat');
    await openPersonalChat(p);
  });

  it('Teams channel: an @mention post is answered in its thread; replies and proactive go there too', async () => {
    const p = page();
    await openChannel(p, 'General');
    const since = theBot().received.length;
    const post = await sendChannelMention(p, 'hello channel');
    await waitForThreadReply(p, post.text, 'Echo: hello channel');
    const got = await receivedAfter(since, (a) => a.type === 'message');
    assert.equal(got.text, '<at>Test Bot</at> hello channel');
    assert.equal(got.conversationType, 'channel');
    assert.match(got.conversationId, /^team-id;messageid=\d+$/);
    assert.deepEqual(
      (got.entities as { type: string; text?: string }[]).find((e) => e.type === 'mention'),
      {
        type: 'mention',
        mentioned: { id: '00000000-0000-0000-0000-00000000000011', name: 'Test Bot' },
        text: '<at>Test Bot</at>',
      },
    );
    assert.deepEqual(got.channelData, {
      teamsChannelId: 'team-id',
      teamsTeamId: 'team-id',
      tenant: { id: '00000000-0000-0000-0000-0000000000001' },
      team: { id: 'team-id' },
      channel: { id: 'team-id' },
    });

    const since2 = theBot().received.length;
    await replyInThread(p, post.text, 'plain reply, no mention', { mention: false });
    await replyInThread(p, post.text, 'proactive 300');
    await waitForThreadReply(p, post.text, 'Proactive: after 300 ms');
    const inThread = theBot()
      .received.slice(since2)
      .filter((a) => a.type === 'message');
    assert.deepEqual(
      inThread.map((a) => [a.text, a.conversationId]),
      [['<at>Test Bot</at> proactive 300', got.conversationId]],
    );
    // Thread order is not send order (an inline bot reply can show above its cause): compare as sets.
    const thread = (await readChannel(p)).find((x) => x.text === post.text);
    assert.deepEqual(thread?.replies.map((r) => `${r.author}: ${r.text}`).sort(), [
      'Alex Wilber: Test Bot proactive 300',
      'Alex Wilber: plain reply, no mention',
      'Test Bot: Echo: hello channel',
      'Test Bot: Proactive reply in 300 ms',
      'Test Bot: Proactive: after 300 ms',
    ]);
    await replyInThread(p, post.text, 'card');
    await waitForThreadReply(p, post.text, 'Fixture card title');
    const card = lastBotCard(p);
    assert.equal((await cardTableRows(card)).length, 4);
    const action = await clickCardButton(p, 'imBack button', { card });
    assert.deepEqual(action, { kind: 'imBack', text: 'imback clicked' });
    await waitForThreadReply(p, post.text, 'Echo: imback clicked');
    await screenshot(p, join(SHOTS, '06-channel.png'));
    await openPersonalChat(p);
  });

  it('sent nothing off the machine, and the page threw nothing', () => {
    assert.deepEqual(browser?.pageErrors, []);
    for (const url of browser?.blockedRequests ?? []) assert.match(url, /^https:\/\/res-1\.cdn\.office\.net\//);
  });
});

describe('Agents Playground as shipped (no Teams emulation)', { timeout: 120_000 }, () => {
  let bot: EchoBot | undefined;
  let playground: Playground | undefined;
  let browser: E2EBrowser | undefined;

  before(async () => {
    bot = await startEchoBot();
    playground = await startPlayground({ botEndpoint: bot.endpoint });
    browser = await openBrowser({ teamsCardActions: false });
    await openPlayground(browser.page, playground.url);
    await openPersonalChat(browser.page);
  });

  after(async () => {
    await Promise.allSettled([browser?.close()]);
    await Promise.allSettled([playground?.stop()]);
    await Promise.allSettled([bot?.close()]);
  });

  it('an Action.Submit whose data has msteams throws in the page and sends nothing (0.2.28)', async () => {
    if (browser === undefined || bot === undefined) throw new Error('not started');
    const p = browser.page;
    const before = await messageCount(p);
    await sendMessage(p, 'card');
    await waitForBotMessage(p, (m) => m.cards === 1, { after: before });
    const since = bot.received.length;
    await assert.rejects(clickCardButton(p, 'imBack button', { timeoutMs: 5_000 }), /not extensible/);
    // A plain submit afterwards still works and is the first thing the bot gets: the imBack sent nothing.
    const shown = await messageCount(p);
    await clickCardButton(p, 'Plain submit');
    const got = await bot.waitForActivity((a) => bot?.received.indexOf(a) === since, 10_000);
    assert.deepEqual(got.value, { kind: 'submit', choice: 'A' });
    await waitForBotMessage(p, /^Submitted:/, { after: shown });
  });

  it('with the bot down, only the log panel says so', async () => {
    if (browser === undefined || bot === undefined) throw new Error('not started');
    const p = browser.page;
    await bot.close();
    const before = await messageCount(p);
    await sendMessage(p, 'anyone there?');
    await waitForLogLine(p, /Cannot connect to your app/, { timeoutMs: 20_000 });
    assert.deepEqual(
      (await readChat(p)).slice(before).map((m) => m.from),
      ['user'],
    );
  });
});
