/**
 * The product as a person uses it: the dev host (the app's real functions) with the Genie emulator,
 * the Microsoft 365 Agents Playground as the Teams client, driven by headless Chromium.
 * Needs Chromium (Debian `chromium`, or CHROMIUM_PATH). Screenshots of steps 1–3 and 5 (the stream) are written to
 * docs/screenshots/ when E2E_UPDATE_SCREENSHOTS=1, else to E2E_SCREENSHOTS or /tmp/e2e-screenshots.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { DEMO_OPS_SPACE_ID, type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { reloadConfig } from '../../shared/config';
import { askGenie, GenieClient, patTokenSource } from '../../shared/genie';
import { KeepAliveHttpClient } from '../../shared/http';
import {
  cardButtons,
  cardTableRows,
  clickCardButton,
  type E2EBrowser,
  lastBotCard,
  messageCard,
  messageCount,
  openBrowser,
  openChannel,
  openPersonalChat,
  openPlayground,
  type Playground,
  readChat,
  screenshot,
  SCREENSHOT_DIR,
  sendChannelMention,
  sendMessage,
  startPlayground,
  waitForBotMessage,
  waitForNoMessage,
  waitForThreadReply,
} from './playground';

const SHOTS = SCREENSHOT_DIR;
const STEP = { timeout: 60_000 };

describe('Genie for Teams in the Agents Playground', { timeout: 300_000 }, () => {
  let genie: GenieEmulator;
  let host: DevHost;
  let playground: Playground | undefined;
  let browser: E2EBrowser | undefined;
  let http: KeepAliveHttpClient;
  const saved: Record<string, string | undefined> = {};

  const page = (): Page => {
    if (!browser) throw new Error('browser not started');
    return browser.page;
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    genie = await startGenieEmulator();
    const env = {
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      ANSWER_DISPATCH: 'inline',
      SAMPLE_QUESTIONS: 'Top 5 products by revenue;Revenue by region last quarter',
      // Two spaces, as `npm run dev` offers them: answers name theirs, and step 8 switches.
      GENIE_SPACES: `sales=${genie.spaceId};ops=${DEMO_OPS_SPACE_ID}`,
      LOG_LEVEL: 'warn',
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    reloadConfig();
    host = await startDevHost({ port: 0, log: () => undefined });
    playground = await startPlayground({ botEndpoint: `${host.url}/api/messages` });
    // Tall enough that a whole answer card shows in the screenshots.
    browser = await openBrowser({ viewport: { width: 1400, height: 1500 } });
    await openPlayground(page(), playground.url);
    await openPersonalChat(page());
    http = new KeepAliveHttpClient({
      connectTimeoutMs: 5_000,
      readTimeoutMs: 10_000,
      totalTimeoutMs: 30_000,
      maxSockets: 10,
      maxSocketsPerHost: 10,
      freeSocketTimeoutMs: 30_000,
    });
  });

  after(async () => {
    // Each step runs even when an earlier one fails: no process outlives the test.
    await Promise.allSettled([browser?.close()]);
    await Promise.allSettled([playground?.stop()]);
    await Promise.allSettled([host?.close()]);
    await Promise.allSettled([genie?.close()]);
    http?.destroy();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('1. answers a question in a personal chat with the result table', STEP, async () => {
    const p = page();
    await waitForBotMessage(p, /Databricks Genie/); // the welcome card on install
    const before = await messageCount(p);
    await sendMessage(p, 'Top 5 products by revenue');
    const answer = await waitForBotMessage(p, (m) => m.cards === 1, { after: before, timeoutMs: 30_000 });
    const rows = await cardTableRows(messageCard(p, answer.index));

    // What Genie itself returns for the question, asked directly.
    const direct = new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token) });
    const { answer: truth } = await askGenie(direct, { question: 'Top 5 products by revenue' });
    const names = truth.table!.rows.map((row) => String(row[0]));
    assert.deepEqual(
      rows.slice(1).map((row) => row[0]),
      names,
      'the card shows Genie’s rows, in order',
    );
    assert.deepEqual(
      rows[0],
      truth.table!.columns.map((c) => c.name),
      'with a header row',
    );
    assert.ok(
      rows.slice(1).every((row) => row.some((cell) => /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(cell))),
      'numbers with thousands separators',
    );
    await screenshot(p, join(SHOTS, '1-answer.png'));
  });

  it('2. a suggested follow-up button posts the question as the user and continues the conversation', STEP, async () => {
    const p = page();
    const buttons = await cardButtons(lastBotCard(p));
    const suggestion = buttons.find((title) => !['Show SQL', '👍', '👎'].includes(title));
    assert.ok(suggestion, `a follow-up button among ${buttons.join(', ')}`);
    const before = await messageCount(p);
    const clicked = await clickCardButton(p, suggestion);
    assert.equal(clicked.kind, 'imBack');
    const mine = (await readChat(p)).slice(before).find((m) => m.from === 'user');
    assert.equal(mine?.text, suggestion, 'the question shows as the user’s own message');
    await waitForBotMessage(p, (m) => m.cards === 1, { after: before, timeoutMs: 30_000 });
    // The bot's first question opened the chat's conversation (step 1 also asked Genie directly, in another).
    const first = genie.messages().find((m) => m.content === 'Top 5 products by revenue');
    const second = genie.messages().at(-1);
    assert.equal(second?.content, suggestion);
    assert.equal(second?.conversationId, first?.conversationId, 'the same Genie conversation');
    await screenshot(p, join(SHOTS, '2-follow-up.png'));
  });

  it('3. 👍 records POSITIVE feedback for that exact Genie message, once', STEP, async () => {
    const p = page();
    const rated = genie.messages().at(-1)!;
    const clicked = await clickCardButton(p, '👍');
    assert.equal(clicked.kind, 'invoke');
    await waitForBotMessage(p, /your 👍 went to Genie/);
    assert.deepEqual(
      genie.feedback().map((f) => [f.conversationId, f.messageId, f.rating]),
      [[rated.conversationId, rated.messageId, 'POSITIVE']],
    );
    assert.ok(!(await cardButtons(lastBotCard(p))).includes('👍'), 'the card no longer offers the vote');
    await screenshot(p, join(SHOTS, '3-feedback.png'));
  });

  it('4. "new" starts a new Genie conversation', STEP, async () => {
    const p = page();
    const previous = genie.messages().at(-1)!.conversationId;
    let before = await messageCount(p);
    await sendMessage(p, 'new');
    await waitForBotMessage(p, /new conversation/i, { after: before });
    before = await messageCount(p);
    await sendMessage(p, 'How many orders were placed last month?');
    await waitForBotMessage(p, (m) => m.cards === 1, { after: before, timeoutMs: 30_000 });
    assert.notEqual(genie.messages().at(-1)!.conversationId, previous);
  });

  it('5. a question Genie needs 17 s for streams its progress, then the answer ends the stream in place', { timeout: 90_000 }, async () => {
    const p = page();
    genie.script('What is the slowest question?', {
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'EXECUTING_QUERY', afterMs: 12_000 },
        { status: 'COMPLETED', afterMs: 17_000 },
      ],
      text: 'The slow answer arrived.',
    });
    const before = await messageCount(p);
    await sendMessage(p, 'What is the slowest question?');
    // A personal chat: Genie's stages arrive as informative updates of one streamed message (STREAM_PROGRESS).
    const progress = await waitForBotMessage(p, /Writing the query/, { after: before, timeoutMs: 20_000 });
    await screenshot(p, join(SHOTS, '4-streaming.png'));
    const running = await waitForBotMessage(p, /Running it on the warehouse/, { after: before, timeoutMs: 20_000 });
    assert.equal(running.index, progress.index, 'the update replaced the earlier stage in the same message');
    await waitForBotMessage(p, /The slow answer arrived\./, { after: before, timeoutMs: 40_000 });
    await waitForNoMessage(p, /Running it on the warehouse/);
    const chat = (await readChat(p)).slice(before);
    assert.equal(chat.filter((m) => m.text.includes('The slow answer arrived.')).length, 1, 'answered once');
    assert.equal(chat.filter((m) => m.from === 'bot').length, 1, 'the stream became the answer');
    assert.ok(chat.find((m) => m.text.includes('The slow answer arrived.'))!.index === progress.index);
    assert.equal(genie.messages().filter((m) => m.content === 'What is the slowest question?').length, 1, 'asked Genie once');
  });

  it('6. answers an @mention in a channel thread, in that thread', STEP, async () => {
    const p = page();
    await openChannel(p);
    const post = await sendChannelMention(p, 'Revenue by region last quarter');
    const reply = await waitForThreadReply(p, post.text, /Revenue|EMEA|APAC/, { timeoutMs: 30_000 });
    assert.equal(reply.cards, 1);
    assert.equal(genie.messages().at(-1)!.content, 'Revenue by region last quarter', 'the mention was stripped');
  });

  it('7. a failed Genie answer reads as plain words, no stack trace', STEP, async () => {
    const p = page();
    await openPersonalChat(p);
    genie.script('Show me the broken report', {
      error: { type: 'SQL_EXECUTION_EXCEPTION', message: 'AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] sales.secret' },
    });
    const before = await messageCount(p);
    await sendMessage(p, 'Show me the broken report');
    const reply = await waitForBotMessage(p, /rephras/i, { after: before, timeoutMs: 30_000 });
    assert.ok(!/Exception|TABLE_OR_VIEW|\bat \w+ \(|Error:/.test(reply.text), `plain words only: ${reply.text}`);
  });

  it('8. `spaces` and its button switch the chat to another space; the answer names it', STEP, async () => {
    const p = page();
    let before = await messageCount(p);
    await sendMessage(p, 'spaces');
    const list = await waitForBotMessage(p, (m) => m.cards === 1, { after: before });
    const buttons = await cardButtons(messageCard(p, list.index));
    const useOps = buttons.find((title) => title.startsWith('Use Operations'));
    assert.ok(useOps, `a button for the ops space among ${buttons.join(', ')}`);
    const clicked = await clickCardButton(p, useOps);
    assert.equal(clicked.kind, 'invoke');
    await waitForBotMessage(p, /Now asking Operations/);
    before = await messageCount(p);
    await sendMessage(p, 'Late shipments by warehouse');
    const answer = await waitForBotMessage(p, (m) => m.cards === 1, { after: before, timeoutMs: 30_000 });
    assert.match(answer.text, /From Operations \(Genie emulator demo\)/, 'the answer names its space');
    assert.equal((await cardTableRows(messageCard(p, answer.index)))[1]?.[0], 'Rotterdam', 'the ops space’s data');
    const asked = genie.messages().at(-1)!;
    assert.equal(asked.spaceId, DEMO_OPS_SPACE_ID, 'asked in the ops space');
    assert.equal(genie.messages().filter((m) => m.conversationId === asked.conversationId).length, 1, 'in a conversation of its own');
    await screenshot(p, join(SHOTS, '8-spaces.png'));
  });
});
