import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type * as AdaptiveCardsModule from 'adaptivecards';

import { type AdaptiveCard, isDownloadActionData, renderAnswerCard, renderDownloadCard, withFeedbackGiven } from '../../../shared/bot';
import type { DecodedTable, DownloadState, GenieAnswer } from '../../../shared/genie';
import { messagesFor } from '../../../shared/i18n';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsModule;

const SETTINGS = { maxBytes: 28 * 1024, maxRows: 25, maxColumns: 12, locale: 'en-US' } as const;
const REF = { spaceId: '01ef64767add1e6daa55e6299276657d', conversationId: 'c0ffee', messageId: 'beef01' };
const NOW = Date.parse('2026-06-15T12:00:00Z');

function answer(rows: number, totalRowCount = rows, truncated = false): GenieAnswer {
  const table: DecodedTable = {
    columns: [
      { name: 'region', kind: 'string', typeName: 'STRING' },
      { name: 'orders', kind: 'integer', typeName: 'LONG' },
    ],
    rows: Array.from({ length: rows }, (_, r) => [`region ${r}`, r]),
    totalRowCount,
    truncated,
  };
  return { ref: REF, status: 'COMPLETED', query: { attachmentId: 'att', title: 'Orders', sql: 'SELECT 1' }, suggestedQuestions: [], table };
}

type Json = Record<string, unknown>;
function* objectsIn(node: unknown): Generator<Json> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield node as Json;
  for (const child of Object.values(node)) yield* objectsIn(child);
}
const downloadButton = (card: AdaptiveCard) => [...objectsIn(card)].find((o) => o.verb === 'genie.download');

function assertParses(card: AdaptiveCard): void {
  const context = new AC.SerializationContext();
  new AC.AdaptiveCard().parse(card, context);
  const complaints = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  assert.deepEqual(complaints, []);
}

describe('"Download all N rows" on the answer card', () => {
  it('is offered when the card shows fewer rows than the result has, bound to the job and the Genie message', () => {
    const card = renderAnswerCard(answer(30), SETTINGS, { kind: 'buttons', job: 'job-1' });
    const button = downloadButton(card);
    assert.equal(button?.type, 'Action.Execute');
    assert.equal(button?.title, 'Download all 30 rows');
    assert.deepEqual(button?.data, { ref: REF, job: 'job-1' });
    assert.ok(isDownloadActionData(button?.data));
    assertParses(card);
  });

  it('is offered when Genie says it cut the result, with Genie’s total, in the asker’s language', () => {
    const card = renderAnswerCard(answer(10, 5_200, true), { ...SETTINGS, locale: 'zh-TW' }, { kind: 'buttons', job: 'job-1' });
    assert.equal(downloadButton(card)?.title, '下載全部 5,200 列');
  });

  it('is not offered when the card shows the whole result, or when no job can bind it', () => {
    assert.equal(downloadButton(renderAnswerCard(answer(10), SETTINGS, { kind: 'buttons', job: 'job-1' })), undefined);
    assert.equal(downloadButton(renderAnswerCard(answer(30), SETTINGS, { kind: 'buttons' })), undefined);
  });

  it('stays on the card after a rating', () => {
    const card = renderAnswerCard(answer(30), SETTINGS, { kind: 'buttons', job: 'job-1' });
    assert.ok(downloadButton(withFeedbackGiven(card, 'POSITIVE', messagesFor('en-US'))));
  });

  it('accepts only well-formed ids in what a click carries', () => {
    assert.ok(!isDownloadActionData({ ref: REF }), 'a job is required');
    assert.ok(!isDownloadActionData({ ref: { ...REF, messageId: '../x' }, job: 'job-1' }));
    assert.ok(!isDownloadActionData({ ref: REF, job: 'job 1' }));
    assert.ok(!isDownloadActionData('genie.download'));
  });
});

describe('the finished download card', () => {
  const ready = (count: number, expiresAt?: number, format = 'CSV'): Extract<DownloadState, { kind: 'ready' }> => ({
    kind: 'ready',
    format,
    totalRowCount: 7_000,
    links: Array.from({ length: count }, (_, i) => ({
      url: `https://storage.example/r/${i}.csv?sig=x`,
      chunkIndex: i,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    })),
  });

  it('says how many rows, the format, how long the link works (never longer than it does) and that anyone holding it can open it', () => {
    const card = renderDownloadCard(ready(1, NOW + 14 * 60_000 + 59_000), 7_000, messagesFor('en-US'), NOW);
    assertParses(card);
    const text = JSON.stringify(card);
    assert.match(text, /All 7,000 rows of this answer are ready \(CSV\)/);
    assert.match(text, /works for about 14 minutes\. Anyone who has it can open the file/);
    const [open] = [...objectsIn(card)].filter((o) => o.type === 'Action.OpenUrl');
    assert.deepEqual(open, { type: 'Action.OpenUrl', title: 'Open the file', url: 'https://storage.example/r/0.csv?sig=x' });
  });

  it('gives one button per file, and says "a short while" when Genie named no expiry', () => {
    const card = renderDownloadCard(ready(3), 7_000, messagesFor('zh-CN'), NOW);
    const titles = [...objectsIn(card)].filter((o) => o.type === 'Action.OpenUrl').map((o) => o.title);
    assert.deepEqual(titles, ['第 1 部分，共 3 部分', '第 2 部分，共 3 部分', '第 3 部分，共 3 部分']);
    assert.match(JSON.stringify(card), /链接只在短时间内有效/);
  });

  it('names Arrow and JSON plainly and shows any other format as inert text', () => {
    assert.match(JSON.stringify(renderDownloadCard(ready(1, NOW, 'ARROW_STREAM'), 1, messagesFor('en-US'), NOW)), /\(Apache Arrow\)/);
    const odd = JSON.stringify(renderDownloadCard(ready(1, NOW, '[x](https://evil.example)'), 1, messagesFor('en-US'), NOW));
    assert.ok(!odd.includes('[x](https://evil.example)'), 'no link can be planted through the format name');
  });
});
