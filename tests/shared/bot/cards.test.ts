import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type * as AdaptiveCardsModule from 'adaptivecards';

import {
  type AdaptiveCard,
  attachment,
  axisScale,
  CellFormatter,
  CHART_RULES,
  chooseChart,
  ENVELOPE_RESERVE_BYTES,
  jsonBytes,
  NULL_MARK,
  renderAnswerCard,
  renderHelpCard,
  withFeedbackGiven,
} from '../../../shared/bot';
import type { CellValue, DecodedColumn, DecodedTable, GenieAnswer } from '../../../shared/genie';
import { messagesFor } from '../../../shared/i18n';

// The official renderer's parser (Microsoft's `adaptivecards` package); its ESM build does not load in Node, the UMD one does.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof AdaptiveCardsModule;

const SETTINGS = { maxBytes: 28 * 1024, maxRows: 25, maxColumns: 12, locale: 'en-US' } as const;
const ZH_TW = { ...SETTINGS, locale: 'zh-TW' } as const;
/** Han ideographs and CJK punctuation: none may reach an English-speaking user from the bot's own words. */
const CJK = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
const REF = { spaceId: '01ef64767add1e6daa55e6299276657d', conversationId: 'c0ffee', messageId: 'beef01' };

function answer(table?: DecodedTable, extra: Partial<GenieAnswer> = {}): GenieAnswer {
  return {
    ref: REF,
    status: 'COMPLETED',
    text: 'Here is what I found.',
    query: {
      attachmentId: 'att',
      title: 'Result',
      description: 'What the query does',
      sql: 'SELECT region, SUM(revenue) FROM sales GROUP BY region',
    },
    suggestedQuestions: ['Compare with last year', 'Break it down by product'],
    ...(table ? { table } : {}),
    ...extra,
  };
}

function column(name: string, kind: DecodedColumn['kind'], scale?: number): DecodedColumn {
  return { name, kind, typeName: kind.toUpperCase(), ...(scale !== undefined ? { scale } : {}) };
}

function generated(
  rows: number,
  columns: number,
  cell: (r: number, c: number) => CellValue = (r, c) => (c % 2 ? r * 1000 + c : `row ${r} col ${c}`),
): DecodedTable {
  return {
    columns: Array.from({ length: columns }, (_, c) => column(`column_${c}`, c % 2 ? 'integer' : 'string')),
    rows: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c))),
    totalRowCount: rows,
    truncated: false,
  };
}

function find(card: AdaptiveCard, type: string): Record<string, unknown> | undefined {
  const walk = (elements: Record<string, unknown>[]): Record<string, unknown> | undefined => {
    for (const element of elements) {
      if (element.type === type) return element;
      const nested = walk([
        ...((element.items as Record<string, unknown>[]) ?? []),
        ...((element.actions as Record<string, unknown>[]) ?? []),
      ]);
      if (nested) return nested;
    }
    return undefined;
  };
  return walk(card.body);
}

function tableText(card: AdaptiveCard): string[][] {
  const table = find(card, 'Table') as { rows: { cells: { items: { text: string }[] }[] }[] } | undefined;
  return (table?.rows ?? []).map((row) => row.cells.map((cell) => cell.items[0]!.text));
}

/**
 * The shapes we rely on, checked two ways: Microsoft's parser must accept the card without
 * complaint (charts are Teams extensions it does not know, so they must carry a fallback), and our
 * own checks for what the parser lets pass.
 */
function assertValidCard(card: AdaptiveCard): void {
  assert.equal(card.type, 'AdaptiveCard');
  assert.equal(card.version, '1.5');
  assert.deepEqual(card.msteams, { width: 'Full' });
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  parsed.parse(card, context);
  const complaints: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    if (!/^Unknown element type "Chart\./.test(event.message)) complaints.push(event.message);
  }
  assert.deepEqual(complaints, [], 'the Adaptive Cards parser accepts the card');
  const ids = new Set<string>();
  const visit = (element: Record<string, unknown>): void => {
    if (typeof element.id === 'string') {
      assert.ok(!ids.has(element.id), `duplicate id ${element.id}`);
      ids.add(element.id);
    }
    if (typeof element.type === 'string' && element.type.startsWith('Chart.')) assert.ok(element.fallback, 'a chart carries a fallback');
    if (element.type === 'Table') {
      const columns = (element.columns as unknown[]).length;
      for (const row of element.rows as { cells: unknown[] }[]) assert.equal(row.cells.length, columns, 'every row has a cell per column');
    }
    for (const child of [
      ...((element.items as Record<string, unknown>[]) ?? []),
      ...((element.actions as Record<string, unknown>[]) ?? []),
    ])
      visit(child);
  };
  card.body.forEach(visit);
  const targets = JSON.stringify(card).match(/"targetElements":\["([^"]+)"\]/g) ?? [];
  for (const target of targets) assert.ok(ids.has(/"targetElements":\["([^"]+)"\]/.exec(target)![1]!), `toggle target ${target} exists`);
}

describe('answer card', () => {
  it('shows the table with a header row, numbers right-aligned and formatted, nulls as one mark', () => {
    const table: DecodedTable = {
      columns: [column('region', 'string'), column('revenue', 'decimal', 2), column('orders', 'integer'), column('day', 'date')],
      rows: [
        ['EMEA', '1250000.5', 12345, '2024-01-31'],
        [null, null, null, null],
      ],
      totalRowCount: 2,
      truncated: false,
    };
    const card = renderAnswerCard(answer(table), SETTINGS);
    assertValidCard(card);
    assert.deepEqual(tableText(card), [
      ['region', 'revenue', 'orders', 'day'],
      ['EMEA', '1,250,000.50', '12,345', 'Jan 31, 2024'],
      [NULL_MARK, NULL_MARK, NULL_MARK, NULL_MARK],
    ]);
    const columns = (find(card, 'Table') as { columns: { horizontalCellContentAlignment?: string }[] }).columns;
    assert.deepEqual(
      columns.map((c) => c.horizontalCellContentAlignment),
      [undefined, 'Right', 'Right', undefined],
    );
    assert.match(JSON.stringify(card), /"2 rows"/);
  });

  it('formats by locale and by scale, without losing digits', () => {
    const de = new CellFormatter('de-DE');
    assert.equal(de.format(column('x', 'decimal', 2), '1234567.891'), '1.234.567,89');
    assert.equal(de.format(column('x', 'integer'), 12345678901234567891n), '12.345.678.901.234.567.891');
    const en = new CellFormatter('en-US');
    assert.equal(en.format(column('x', 'decimal', 4), '12345678901234567891.1234'), '12,345,678,901,234,567,891.1234');
    assert.equal(en.format(column('x', 'float'), 0.000123456), '0.000123');
    assert.equal(en.format(column('x', 'float'), 1234.5678), '1,234.57');
    assert.equal(en.format(column('x', 'timestamp'), '2024-03-05T14:30:00Z'), 'Mar 5, 2024, 2:30 PM');
    assert.equal(en.format(column('x', 'timestamp'), '2024-03-05 14:30:00'), 'Mar 5, 2024, 2:30 PM', 'zone-less read as UTC');
    assert.equal(en.format(column('x', 'boolean'), true), 'true');
    assert.equal(en.format(column('x', 'string'), 'x'.repeat(500)).length, 120);
  });

  for (const [name, rows, columns] of [
    ['1 × 1', 1, 1],
    ['3 × 3', 3, 3],
    ['200 × 12', 200, 12],
    ['5,000 × 30', 5_000, 30],
  ] as const) {
    it(`stays under the byte budget for a ${name} result`, () => {
      const table = generated(rows, columns);
      const card = renderAnswerCard(answer(table), SETTINGS);
      assertValidCard(card);
      const bytes = jsonBytes(attachment(card));
      assert.ok(bytes <= SETTINGS.maxBytes - ENVELOPE_RESERVE_BYTES, `${bytes} bytes`);
      const shown = tableText(card).length - 1;
      assert.ok(shown >= Math.min(rows, 10), `${shown} rows shown`);
      if (rows > shown || columns > 12) assert.match(JSON.stringify(card), /ask a narrower question/);
    });
  }

  it('stays under the budget with very wide text in every cell, and says what it cut', () => {
    const table = generated(50, 12, () => 'ü'.repeat(119) + '😀');
    const card = renderAnswerCard(answer(table), SETTINGS);
    assertValidCard(card);
    assert.ok(jsonBytes(attachment(card)) <= SETTINGS.maxBytes - ENVELOPE_RESERVE_BYTES);
    const shown = tableText(card).length - 1;
    assert.ok(shown >= 1 && shown < 50);
    assert.match(JSON.stringify(card), new RegExp(`Showing ${shown} of 50 rows`));
  });

  it('honours a smaller budget by cutting rows, and keeps the full SQL when it fits', () => {
    const table = generated(200, 6);
    const small = renderAnswerCard(answer(table), { ...SETTINGS, maxBytes: 12 * 1024 });
    const large = renderAnswerCard(answer(table), SETTINGS);
    assert.ok(jsonBytes(attachment(small)) <= 12 * 1024 - ENVELOPE_RESERVE_BYTES);
    assert.ok(tableText(small).length < tableText(large).length);
    assert.match(JSON.stringify(small), /SELECT region, SUM\(revenue\) FROM sales GROUP BY region/);
  });

  it('hides the SQL behind a toggle, in monospace', () => {
    const card = renderAnswerCard(answer(generated(2, 2)), SETTINGS);
    const sql = card.body.find((e) => e.id === 'sql') as { isVisible: boolean; items: { fontType: string; text: string }[] };
    assert.equal(sql.isVisible, false);
    assert.equal(sql.items[0]?.fontType, 'Monospace');
    const toggle = find(card, 'Action.ToggleVisibility') as { targetElements: string[] };
    assert.deepEqual(toggle.targetElements, ['sql']);
  });

  it('cuts the SQL only when it alone would break the budget, and says so', () => {
    const sql = `SELECT ${'a_really_long_column_name, '.repeat(2_000)}1`;
    const card = renderAnswerCard(answer(generated(3, 3), { query: { attachmentId: 'a', sql } }), SETTINGS);
    assert.ok(jsonBytes(attachment(card)) <= SETTINGS.maxBytes - ENVELOPE_RESERVE_BYTES);
    assert.match(JSON.stringify(card), /shortened to fit Teams/);
  });

  it('puts follow-up questions in the card as buttons that post the question as the user', () => {
    const card = renderAnswerCard(answer(generated(2, 2)), SETTINGS);
    const buttons = JSON.stringify(card).match(/"msteams":\{"type":"imBack","value":"[^"]+"\}/g);
    assert.deepEqual(buttons, [
      '"msteams":{"type":"imBack","value":"Compare with last year"}',
      '"msteams":{"type":"imBack","value":"Break it down by product"}',
    ]);
  });

  it('binds 👍/👎 to this exact Genie message, and replaces them with a receipt once used', () => {
    const card = renderAnswerCard(answer(generated(2, 2)), SETTINGS, { kind: 'buttons', job: 'job-1' });
    const votes = JSON.stringify(card).match(/"verb":"genie\.feedback","data":\{[^}]+\}[^}]*\}/g) ?? [];
    assert.equal(votes.length, 2);
    for (const vote of votes)
      assert.ok(
        vote.includes(`"messageId":"${REF.messageId}"`) &&
          vote.includes(`"conversationId":"${REF.conversationId}"`) &&
          vote.includes('"job":"job-1"'),
      );
    const after = withFeedbackGiven(card, 'POSITIVE', messagesFor('en-US'));
    assertValidCard(after);
    assert.ok(!JSON.stringify(after).includes('genie.feedback'), 'no second click possible');
    assert.match(JSON.stringify(after), /your 👍 went to Genie/);
    assert.match(JSON.stringify(after), /Show SQL/, 'the rest of the card is kept');
  });

  it('dresses the answer in the user’s language: buttons, row count, SQL toggle, numbers and dates', () => {
    const table: DecodedTable = {
      columns: [column('地區', 'string'), column('營收', 'decimal', 2), column('日期', 'date')],
      rows: [['北區', '1250000.5', '2024-01-31']],
      totalRowCount: 1_234,
      truncated: false,
    };
    const card = renderAnswerCard(answer(table, { text: '以下是結果。', suggestedQuestions: ['和去年比較'] }), { ...ZH_TW, maxRows: 1 });
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.deepEqual(tableText(card)[1], [
      '北區',
      new Intl.NumberFormat('zh-TW', { minimumFractionDigits: 2 }).format(1250000.5),
      '2024年1月31日',
    ]);
    assert.match(text, /"title":"顯示 SQL"/);
    assert.match(text, /後續問題/);
    assert.match(text, /顯示 1,234 列中的 1 列。請縮小問題範圍以查看其餘資料。/);
    assert.match(text, /"tooltip":"回答正確"/);
    assert.doesNotMatch(text, /Show SQL|Follow-up|Showing|\d rows|Good answer/);
    const rated = withFeedbackGiven(card, 'NEGATIVE', messagesFor('zh-TW'));
    assert.match(JSON.stringify(rated), /謝謝！您的 👎 已送給 Genie。/);
  });

  it('gives Chinese text the room two-column glyphs need, and never wraps a date', () => {
    const table: DecodedTable = {
      columns: [column('name', 'string'), column('名稱', 'string'), column('day', 'date')],
      rows: [['Oolong t', '高山烏龍茶禮盒', '2024-03-28']],
      totalRowCount: 1,
      truncated: false,
    };
    const card = renderAnswerCard(answer(table), ZH_TW);
    const element = find(card, 'Table') as { columns: { width: number }[]; rows: { cells: { items: { wrap?: boolean }[] }[] }[] };
    const [latin, han, day] = element.columns.map((c) => c.width);
    assert.ok(han! > latin! * 1.5, `7 ideographs (${han}) get about twice the room of 8 letters (${latin})`);
    assert.ok(day! >= '2024年3月28日'.length + 3 + 2, `the date's full width plus a margin: ${day}`);
    assert.deepEqual(
      element.rows[1]!.cells.map((c) => c.items[0]!.wrap ?? false),
      [true, true, false],
    );
  });

  it('counts rows with the language’s plural rules and numbers', () => {
    const line = (locale: 'en-US' | 'zh-TW' | 'zh-CN', rows: number, total: number) => {
      const card = renderAnswerCard(answer({ ...generated(rows, 2), totalRowCount: total, truncated: total > rows }), {
        ...SETTINGS,
        locale,
        maxRows: 25,
      });
      return String(
        (card.body.find((e) => typeof e.text === 'string' && /\d/.test(e.text) && e.size === 'Small' && e.isSubtle) as { text: string })
          .text,
      );
    };
    assert.equal(line('en-US', 1, 1), '1 row');
    assert.equal(line('en-US', 2, 2), '2 rows');
    assert.equal(
      line('en-US', 30, 5_000),
      'Showing 25 of 5,000 rows — ask a narrower question to see the rest. Genie returned the first 30.',
    );
    assert.equal(line('zh-TW', 1, 1), '共 1 列');
    assert.equal(line('zh-CN', 30, 5_000), '显示 5,000 行中的 25 行。请缩小问题范围以查看其余数据。Genie 只返回了前 30 行。');
  });

  it('measures CJK text in UTF-8 bytes: a result of Chinese text near the budget still fits', () => {
    // Each ideograph is 3 bytes of UTF-8 but 1 UTF-16 unit: counting characters would overshoot by ~3×.
    const table = generated(60, 8, (r, c) => (c % 2 ? r * 1000 + c : '臺北市信義區市府路一號'.repeat(3) + String(r)));
    const long = answer(table, { text: '根據資料，'.repeat(400), suggestedQuestions: ['依月份細分營收', '和去年同期比較'] });
    const card = renderAnswerCard(long, ZH_TW);
    assertValidCard(card);
    const bytes = jsonBytes(attachment(card));
    assert.ok(bytes <= ZH_TW.maxBytes - ENVELOPE_RESERVE_BYTES, `${bytes} bytes`);
    assert.ok(bytes > (ZH_TW.maxBytes - ENVELOPE_RESERVE_BYTES) * 0.8, `near the budget, not cut far below it: ${bytes} bytes`);
    assert.ok(JSON.stringify(card).length * 1.3 < bytes, 'much of the card is multi-byte text: counted in characters it would overflow');
    const shown = tableText(card).length - 1;
    assert.ok(shown >= 1 && shown < 60, `${shown} rows`);
    assert.match(JSON.stringify(card), new RegExp(`顯示 60 列中的 ${shown} 列`));
  });

  it('shows a clarifying question as Genie’s question', () => {
    const card = renderAnswerCard({ ref: REF, status: 'COMPLETED', clarification: 'Revenue or orders?', suggestedQuestions: [] }, SETTINGS);
    assertValidCard(card);
    assert.match(JSON.stringify(card), /Genie needs a bit more detail.*Revenue or orders\?/);
    assert.equal(find(card, 'Table'), undefined);
  });
});

describe('chart rules', () => {
  const table = (columns: DecodedColumn[], rows: CellValue[][]): DecodedTable => ({
    columns,
    rows,
    totalRowCount: rows.length,
    truncated: false,
  });
  const months = (n: number) => Array.from({ length: n }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}-01`);

  it('charts a time-like first column as a line', () => {
    const chart = chooseChart(
      table(
        [column('month', 'date'), column('revenue', 'decimal', 2)],
        months(6).map((m, i) => [m, String(100 + i)]),
      ),
    );
    assert.equal(chart?.chart, 'Chart.Line');
  });

  it('charts shares of a whole as a donut, a short ranking as vertical bars, long labels or many rows as horizontal bars', () => {
    const shares = table(
      [column('channel', 'string'), column('share_pct', 'float')],
      [
        ['web', 55],
        ['store', 30],
        ['phone', 15],
      ],
    );
    assert.equal(chooseChart(shares)?.chart, 'Chart.Donut');
    const ranking = table(
      [column('product', 'string'), column('revenue', 'decimal', 2)],
      [
        ['A', '300'],
        ['B', '200'],
        ['C', '120'],
      ],
    );
    assert.equal(chooseChart(ranking)?.chart, 'Chart.VerticalBar');
    const longLabels = table(
      [column('product', 'string'), column('revenue', 'integer')],
      [
        ['Ultra-wide curved monitor 49"', 3],
        ['Ergonomic keyboard', 2],
      ],
    );
    assert.equal(chooseChart(longLabels)?.chart, 'Chart.HorizontalBar');
    const many = table(
      [column('city', 'string'), column('orders', 'integer')],
      Array.from({ length: 15 }, (_, i) => [`City ${i}`, 100 - i]),
    );
    assert.equal(chooseChart(many)?.chart, 'Chart.HorizontalBar');
  });

  it('groups several comparable series, and plots only the first when scales differ wildly', () => {
    const grouped = table(
      [column('region', 'string'), column('2023', 'integer'), column('2024', 'integer')],
      [
        ['EMEA', 100, 120],
        ['APAC', 90, 95],
      ],
    );
    assert.equal(chooseChart(grouped)?.chart, 'Chart.VerticalBar.Grouped');
    const mixed = table(
      [column('product', 'string'), column('revenue', 'decimal', 2), column('units', 'integer')],
      [
        ['A', '250000', 12],
        ['B', '180000', 9],
      ],
    );
    assert.equal(chooseChart(mixed)?.chart, 'Chart.VerticalBar', 'revenue and units do not share an axis');
  });

  it('draws no chart for one value, text only, or too many points', () => {
    assert.equal(chooseChart(table([column('orders', 'integer')], [[42]])), undefined);
    assert.equal(
      chooseChart(
        table(
          [column('a', 'string'), column('b', 'string')],
          [
            ['x', 'y'],
            ['z', 'w'],
          ],
        ),
      ),
      undefined,
    );
    assert.equal(
      chooseChart(
        table(
          [column('day', 'date'), column('n', 'integer')],
          months(12)
            .concat(months(12), months(12), months(12), months(12), months(12))
            .map((m) => [m, 1]),
        ),
      ),
      undefined,
    );
  });

  it('has a reason for every rule, and the chart in the card carries the data without nulls', () => {
    assert.ok(CHART_RULES.every((rule) => rule.because.length > 20));
    const card = renderAnswerCard(
      answer(
        table(
          [column('region', 'string'), column('revenue', 'integer')],
          [
            ['EMEA', 5],
            ['APAC', null],
            ['AMER', 3],
          ],
        ),
      ),
      SETTINGS,
    );
    const chart = find(card, 'Chart.VerticalBar') as { data: { x: string; y: number }[] };
    assert.deepEqual(chart.data, [
      { x: 'EMEA', y: 5 },
      { x: 'AMER', y: 3 },
    ]);
  });

  it('plots millions in a unit the axis title names, so the renderer’s ticks stay short enough not to be cut', () => {
    const products = (settings: typeof SETTINGS | typeof ZH_TW) =>
      renderAnswerCard(
        answer(
          table(
            [column('product', 'string'), column('revenue', 'decimal', 2)],
            [
              ['Laptop Pro 15 with a long name', '1842310.50'],
              ['Ergonomic Office Chair', '968420.00'],
            ],
          ),
        ),
        settings,
      );
    const chart = find(products(SETTINGS), 'Chart.HorizontalBar') as { xAxisTitle: string; data: { x: string; y: number }[] };
    assert.equal(chart.xAxisTitle, 'revenue (× 1M)');
    assert.deepEqual(
      chart.data.map((p) => p.y),
      [1.8423105, 0.96842],
    );
    assert.equal((find(products(ZH_TW), 'Chart.HorizontalBar') as { xAxisTitle: string }).xAxisTitle, 'revenue（× 100萬）');
    assert.deepEqual(axisScale([999_999], 'en-US'), { divisor: 1 }, 'below a million the renderer’s own “k” fits');
    assert.deepEqual(axisScale([184e6], 'en-US'), { divisor: 1e7, unit: '10M' }, 'values stay under 100: ticks of four characters');
  });
});

describe('help card', () => {
  it('offers the sample questions as buttons and names the commands', () => {
    const card = renderHelpCard(messagesFor('en-US'), ['Top products?', 'Revenue by region'], true);
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.match(text, /"type":"imBack","value":"Top products\?"/);
    assert.match(text, /\*\*new\*\*/);
    assert.match(text, /Hi!/);
    assert.doesNotMatch(text, CJK);
  });

  it('speaks the user’s language, naming that language’s command words', () => {
    const card = renderHelpCard(messagesFor('zh-TW'), ['前五大產品？']);
    assertValidCard(card);
    const text = JSON.stringify(card);
    assert.match(text, /Databricks Genie 回答關於您資料的問題/);
    assert.match(text, /\*\*新對話\*\*/);
    assert.match(text, /\*\*說明\*\*/);
    assert.doesNotMatch(text, /Ask in plain words|Try one of these/);
    assert.match(JSON.stringify(renderHelpCard(messagesFor('zh-CN'), [])), /\*\*新对话\*\*.*\*\*帮助\*\*/);
  });
});
