/**
 * A Traditional Chinese (zh-TW) user in the Microsoft 365 Agents Playground: help card, one
 * question and its answer card, all in zh-TW. Needs Chromium and a CJK font (Debian
 * `fonts-noto-cjk`) for the screenshot, written to docs/screenshots/zh-tw-answer.png when
 * E2E_UPDATE_SCREENSHOTS=1, else to E2E_SCREENSHOTS or /tmp/e2e-screenshots.
 *
 * The Playground (0.2.x) cannot be told a user's locale: every activity it generates carries a
 * hard-coded `locale: "en-US"` (and a clientInfo entity saying the same), whatever the browser's
 * or the process's locale. So the test puts a loopback proxy between the Playground and the bot
 * that sets `locale` to zh-TW on every incoming activity, as a Teams client set to 繁體中文 does.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { restoreEnv, useEnv } from '../helpers/env';
import {
  cardButtons,
  cardTableRows,
  cardTextBlocks,
  type E2EBrowser,
  messageCard,
  messageCount,
  openBrowser,
  openPersonalChat,
  openPlayground,
  type Playground,
  screenshot,
  SCREENSHOT_DIR,
  sendMessage,
  startPlayground,
  waitForBotMessage,
} from './playground';

const SHOTS = SCREENSHOT_DIR;
const STEP = { timeout: 60_000 };
const LOCALE = 'zh-TW';
const QUESTION = '營收最高的五項產品是哪些？';

const TOP_PRODUCTS = {
  steps: [
    { status: 'ASKING_AI', afterMs: 0 },
    { status: 'EXECUTING_QUERY', afterMs: 400 },
    { status: 'COMPLETED', afterMs: 800 },
  ],
  queries: [
    {
      title: '營收前五大產品',
      description: '依上一季營收排序的產品',
      sql: 'SELECT product, SUM(revenue) AS revenue, COUNT(*) AS orders, MAX(order_date) AS last_order\nFROM sales GROUP BY product ORDER BY revenue DESC LIMIT 5',
      result: {
        columns: [
          { name: '產品', type_name: 'STRING' },
          { name: '營收', type_name: 'DECIMAL', type_text: 'DECIMAL(18,2)', type_scale: 2 },
          { name: '訂單數', type_name: 'LONG' },
          { name: '最近訂購日', type_name: 'DATE' },
        ],
        rows: [
          ['高山烏龍茶禮盒', '1284500.50', '3420', '2024-03-28'],
          ['日月潭紅茶', '982310.00', '2875', '2024-03-30'],
          ['鳳梨酥 12 入', '760045.75', '5120', '2024-03-29'],
          ['牛軋糖綜合包', '512300.00', '1980', '2024-03-25'],
          ['手工麻糬', '301275.25', '1433', '2024-03-31'],
        ],
      },
    },
  ],
  text: '上一季營收最高的是高山烏龍茶禮盒，其次是日月潭紅茶。',
  suggestedQuestions: ['依月份細分這五項產品的營收', '和去年同期比較'],
};

/** Forwards every request to `target`, setting the activity's locale (and its clientInfo entity's) to `locale`. */
async function startLocaleProxy(target: string, locale: string): Promise<{ url: string; close: () => Promise<void> }> {
  const read = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await read(req);
      const activity = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown> & { entities?: Record<string, unknown>[] };
      activity.locale = locale;
      for (const entity of activity.entities ?? []) if (entity.type === 'clientInfo') entity.locale = locale;
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (req.headers.authorization) headers.Authorization = req.headers.authorization;
      const response = await fetch(`${target}${req.url ?? ''}`, { method: req.method ?? 'POST', headers, body: JSON.stringify(activity) });
      res
        .writeHead(response.status, { 'Content-Type': response.headers.get('content-type') ?? 'application/json' })
        .end(Buffer.from(await response.arrayBuffer()));
    })().catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Genie for Teams in zh-TW, in the Agents Playground', { timeout: 240_000 }, () => {
  let genie: GenieEmulator;
  let host: DevHost;
  let proxy: { url: string; close: () => Promise<void> } | undefined;
  let playground: Playground | undefined;
  let browser: E2EBrowser | undefined;

  const page = (): Page => {
    if (!browser) throw new Error('browser not started');
    return browser.page;
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    genie = await startGenieEmulator();
    genie.script(QUESTION, TOP_PRODUCTS);
    useEnv({
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      ANSWER_DISPATCH: 'inline',
      SAMPLE_QUESTIONS: `${QUESTION};各地區上一季的營收`,
      LOG_LEVEL: 'warn',
    });
    host = await startDevHost({ port: 0, log: () => undefined });
    proxy = await startLocaleProxy(host.url, LOCALE);
    playground = await startPlayground({ botEndpoint: `${proxy.url}/api/messages` });
    browser = await openBrowser({ viewport: { width: 1400, height: 1500 } });
    await openPlayground(page(), playground.url);
    await openPersonalChat(page());
  });

  after(async () => {
    // Each step runs even when an earlier one fails: no process outlives the test.
    await Promise.allSettled([browser?.close()]);
    await Promise.allSettled([playground?.stop()]);
    await Promise.allSettled([proxy?.close()]);
    await Promise.allSettled([host?.close()]);
    await Promise.allSettled([genie?.close()]);
    restoreEnv();
  });

  it('1. 說明 gets the help card in zh-TW', STEP, async () => {
    const p = page();
    await waitForBotMessage(p, /您好/); // the welcome card on install, already in zh-TW
    const before = await messageCount(p);
    await sendMessage(p, '說明');
    const help = await waitForBotMessage(p, (m) => m.cards === 1, { after: before });
    const texts = await cardTextBlocks(messageCard(p, help.index));
    assert.ok(texts.includes('我會透過 Databricks Genie 回答關於您資料的問題。'), texts.join(' | '));
    assert.ok(
      texts.some((t) => t.includes('新對話') && t.includes('開始新的對話')),
      'the commands, in zh-TW',
    );
    assert.ok(!texts.some((t) => /Ask in plain words|Try one of these/.test(t)), 'no English');
    assert.deepEqual(await cardButtons(messageCard(p, help.index)), [QUESTION, '各地區上一季的營收']);
  });

  it('2. a question gets its answer card with zh-TW chrome and zh-TW number and date formats', STEP, async () => {
    const p = page();
    const before = await messageCount(p);
    await sendMessage(p, QUESTION);
    const answer = await waitForBotMessage(p, (m) => m.cards === 1 && m.text.includes('高山烏龍茶禮盒'), {
      after: before,
      timeoutMs: 30_000,
    });
    const card = messageCard(p, answer.index);
    const rows = await cardTableRows(card);
    const money = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const count = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
    assert.deepEqual(rows[0], ['產品', '營收', '訂單數', '最近訂購日']);
    assert.deepEqual(rows[1], ['高山烏龍茶禮盒', money.format(1_284_500.5), count.format(3_420), '2024年3月28日']);
    const buttons = await cardButtons(card);
    assert.ok(buttons.includes('顯示 SQL'), buttons.join(', '));
    assert.ok(buttons.includes('和去年同期比較'));
    const texts = await cardTextBlocks(card);
    assert.ok(texts.includes('共 5 列'), texts.join(' | '));
    assert.ok(texts.includes('後續問題'));
    assert.ok(!texts.some((t) => /Show SQL|Follow-up|\brows?\b/.test(t)), 'no English chrome');
    await screenshot(p, join(SHOTS, 'zh-tw-answer.png'));
  });
});
