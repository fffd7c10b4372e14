import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { getBotApp } from '../../shared/app';
import { type BotHarness, startBotHarness } from '../helpers/harness';
import { eventually } from '../helpers/servers';

type Card = { body: Record<string, unknown>[] };

/** Han ideographs, CJK punctuation and full-width forms. */
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;

function cardOf(activity: Record<string, unknown>): Card | undefined {
  return (activity.attachments as { content: Card }[] | undefined)?.[0]?.content;
}

function tableCells(card: Card | undefined): string[][] {
  const table = card?.body.find((e) => e.type === 'Table') as { rows: { cells: { items: { text: string }[] }[] }[] } | undefined;
  return (table?.rows ?? []).map((row) => row.cells.map((cell) => cell.items[0]?.text ?? ''));
}

/** A user message as a Teams client in `locale` sends it (no locale at all when undefined). */
function said(serviceUrl: string, text: string, conversationId: string, locale: string | undefined): Record<string, unknown> {
  const { locale: _english, ...message } = userMessage(serviceUrl, text, { conversationId });
  return locale === undefined ? message : { ...message, locale };
}

const SALES = {
  steps: [
    { status: 'ASKING_AI', afterMs: 0 },
    { status: 'EXECUTING_QUERY', afterMs: 700 },
    { status: 'COMPLETED', afterMs: 1_200 },
  ],
  queries: [
    {
      title: 'Revenue by region',
      sql: 'SELECT region, revenue, day FROM sales',
      result: {
        columns: [
          { name: 'region', type_name: 'STRING' },
          { name: 'revenue', type_name: 'DECIMAL', type_text: 'DECIMAL(18,2)', type_scale: 2 },
          { name: 'day', type_name: 'DATE' },
        ],
        rows: [
          ['North', '1250000.00', '2024-01-31'],
          ['South', '980500.50', '2024-02-29'],
        ],
      },
    },
  ],
  text: 'North leads.',
  suggestedQuestions: ['Break North down by product'],
};

describe('the user’s language (dev host, Genie emulator, fake connector; DEFAULT_LOCALE=zh-CN)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  const post = (activity: Record<string, unknown>) => harness.post(activity);
  const shown = (conversationId: string) => connector.messages(conversationId).map((m) => m.activity);
  /** Resolves when an answer card (one with a table or Genie's text, not the help card) is in the chat. */
  const answered = (conversationId: string, count = 1) =>
    connector.waitFor(
      () =>
        shown(conversationId).filter((a) => /"type":"Table"|"id":"answer-actions"/.test(JSON.stringify(cardOf(a) ?? ''))).length >= count,
      15_000,
    );

  before(async () => {
    // A status line after 0.3 s, so the slow question (1.2 s) shows one.
    harness = await startBotHarness({ DEFAULT_LOCALE: 'zh-CN', STATUS_MESSAGE_DELAY_SECONDS: '0.3' });
    ({ genie, connector } = harness);
  });
  afterEach(() => genie.reset());
  after(() => harness.close());

  it('answers 說明 from a zh-TW client with the help card in zh-TW', async () => {
    const response = await post(said(connector.url, '說明', 'a:zh-help', 'zh-TW'));
    assert.equal(response.status, 200);
    await connector.waitFor(() => shown('a:zh-help').length === 1);
    const text = JSON.stringify(cardOf(shown('a:zh-help')[0]!));
    assert.match(text, /我會透過 Databricks Genie 回答關於您資料的問題/);
    assert.match(text, /\*\*新對話\*\* — 開始新的對話/);
    assert.doesNotMatch(text, /Ask in plain words|数据/, 'neither English nor Simplified Chinese');
  });

  it('welcomes a zh-tw client in zh-TW', async () => {
    const bot = { id: '28:bot', name: 'Genie' };
    await post({
      type: 'conversationUpdate',
      id: 'welcome-zh',
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:user-1' },
      recipient: bot,
      conversation: { id: 'a:zh-welcome', conversationType: 'personal', tenantId: 'tenant-1' },
      membersAdded: [bot],
      locale: 'zh-tw',
    });
    await connector.waitFor(() => shown('a:zh-welcome').length === 1);
    assert.match(JSON.stringify(cardOf(shown('a:zh-welcome')[0]!)), /👋 您好！/);
  });

  it('starts a new Genie conversation on 重置, and says so in zh-TW', async () => {
    const chat = 'a:zh-reset';
    await post(said(connector.url, '第一個問題', chat, 'zh-TW'));
    await answered(chat);
    await post(said(connector.url, '\u3000重置\u3000', chat, 'zh-TW'));
    await connector.waitFor(() => shown(chat).some((a) => a.text === '已和 Genie 開始新的對話。想了解什麼呢？'));
    await post(said(connector.url, '第二個問題', chat, 'zh-TW'));
    await answered(chat, 2);
    const [first, second] = genie.messages();
    assert.equal(second?.content, '第二個問題');
    assert.notEqual(second?.conversationId, first?.conversationId, 'a new Genie conversation');
  });

  it('answers a zh-TW user with zh-TW chrome and zh-TW numbers and dates, status line included', async () => {
    genie.script('各區營收？', SALES);
    await post(said(connector.url, '各區營收？', 'a:zh-answer', 'zh-TW'));
    await connector.waitFor(() => connector.received.some((r) => r.conversationId === 'a:zh-answer' && r.method === 'PUT'), 15_000);
    const status = connector.received.find(
      (r) => r.conversationId === 'a:zh-answer' && r.method === 'POST' && r.activity.type === 'message',
    );
    assert.equal(status?.activity.text, '🔎 正在查詢您的資料…');
    const card = cardOf(shown('a:zh-answer')[0]!);
    const text = JSON.stringify(card);
    const money = new Intl.NumberFormat('zh-TW', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    assert.deepEqual(tableCells(card).slice(1), [
      ['North', money.format(1_250_000), '2024年1月31日'],
      ['South', money.format(980_500.5), '2024年2月29日'],
    ]);
    assert.match(text, /"title":"顯示 SQL"/);
    assert.match(text, /"text":"後續問題"/);
    assert.match(text, /"text":"共 2 列"/);
    assert.match(text, /"tooltip":"回答正確"/);
    assert.doesNotMatch(text, /Show SQL|Follow-up questions|\d rows|Good answer|Jan 31/);
  });

  it('tells a zh-TW user about a failed answer in zh-TW, from the worker', async () => {
    genie.script('壞掉的報表', { error: { type: 'SQL_EXECUTION_EXCEPTION', message: 'AnalysisException: sales.secret' } });
    await post(said(connector.url, '壞掉的報表', 'a:zh-error', 'zh-TW'));
    await connector.waitFor(() => shown('a:zh-error').some((a) => typeof a.text === 'string' && a.text.startsWith('Genie')), 15_000);
    const reply = shown('a:zh-error').find((a) => typeof a.text === 'string' && a.text.startsWith('Genie'));
    assert.equal(reply?.text, 'Genie 為這個問題寫了查詢，但執行失敗。請換個說法，或問得更具體一些。');
  });

  it('gives up on a question in the language it came in (the poison notice)', async () => {
    const { state, worker } = await getBotApp();
    const reference = {
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: 'a:zh-poison' },
      bot: { id: '28:bot' },
      user: { id: '29:user-1' },
    };
    await state.jobs.create({ id: 'job-zh-poison', chatKey: 'a:zh-poison', question: '任何問題', reference, locale: 'zh-TW' });
    await worker.poison({ jobId: 'job-zh-poison' });
    await eventually(() => shown('a:zh-poison').length === 1, 5_000, 'the notice');
    assert.equal(shown('a:zh-poison')[0]?.text, '抱歉，我無法取得您問題的答案。請再問一次。');
  });

  it('shows an en-US user no Chinese anywhere: help, answer, status line, error', async () => {
    const chat = 'a:en-only';
    await post(said(connector.url, 'help', chat, 'en-US'));
    genie.script('Revenue by region?', SALES);
    await post(said(connector.url, 'Revenue by region?', chat, 'en-US'));
    await answered(chat);
    genie.script('Broken report', { error: { type: 'SQL_EXECUTION_EXCEPTION', message: 'AnalysisException: sales.secret' } });
    await post(said(connector.url, 'Broken report', chat, 'en-US'));
    await connector.waitFor(() => shown(chat).some((a) => typeof a.text === 'string' && /rephras/.test(a.text)), 15_000);
    const everything = connector.received.filter((r) => r.conversationId === chat);
    assert.ok(everything.length >= 4, `${everything.length} activities`);
    for (const { activity } of everything) assert.doesNotMatch(JSON.stringify(activity), CJK);
    assert.match(JSON.stringify(everything.map((r) => r.activity)), /Show SQL.*Looking at your data|Looking at your data.*Show SQL/s);
  });

  it('uses DEFAULT_LOCALE for a locale it does not speak, or none at all', async () => {
    await post(said(connector.url, 'help', 'a:fr', 'fr-FR'));
    await post(said(connector.url, 'help', 'a:none', undefined));
    await post(said(connector.url, 'help', 'a:sg', 'zh-SG'));
    for (const chat of ['a:fr', 'a:none', 'a:sg']) {
      await connector.waitFor(() => shown(chat).length === 1);
      assert.match(JSON.stringify(cardOf(shown(chat)[0]!)), /我通过 Databricks Genie 回答关于你的数据的问题/, chat);
    }
  });
});
