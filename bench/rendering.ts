import { attachment, jsonBytes, renderAnswerCard } from '../shared/bot';
import type { CellValue, DecodedColumn, DecodedTable, GenieAnswer } from '../shared/genie';
import { type Benchmark, type Figure, median, round } from './lib';

function table(rows: number, columns: number): DecodedTable {
  const kinds: DecodedColumn['kind'][] = ['string', 'decimal', 'integer', 'date', 'float'];
  const cols = Array.from({ length: columns }, (_, c) => ({
    name: `column_${c}`,
    kind: kinds[c % kinds.length]!,
    typeName: 'X',
    scale: 2,
  }));
  const cell = (r: number, c: number): CellValue => {
    switch (cols[c]!.kind) {
      case 'string':
        return `customer ${r}-${c}`;
      case 'decimal':
        return `${r * 37 + c}.25`;
      case 'integer':
        return r * c;
      case 'date':
        return `2024-0${(r % 9) + 1}-1${c % 10}`;
      default:
        return r / (c + 1);
    }
  };
  return {
    columns: cols,
    rows: Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => cell(r, c))),
    totalRowCount: rows,
    truncated: false,
  };
}

/** 8. Rendering: time and bytes of answer cards for 3 × 3, 200 × 12 and 5,000 × 30 results. */
export const rendering: Benchmark = ({ quick }) => {
  const settings = { maxBytes: 28 * 1024, maxRows: 25, maxColumns: 12, locale: 'en-US' as const };
  const figures: Figure[] = [];
  for (const [rows, columns] of [
    [3, 3],
    [200, 12],
    [5_000, 30],
  ] as const) {
    const answer: GenieAnswer = {
      ref: { spaceId: 's', conversationId: 'c', messageId: 'm' },
      status: 'COMPLETED',
      text: 'Here is the result.',
      query: { attachmentId: 'a', title: 'Result', sql: 'SELECT * FROM t' },
      suggestedQuestions: ['More?'],
      table: table(rows, columns),
    };
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < (quick ? 10 : 50); i++) {
      const started = performance.now();
      const card = renderAnswerCard(answer, settings);
      times.push(performance.now() - started);
      bytes = jsonBytes(attachment(card));
    }
    figures.push({
      benchmark: '8 rendering',
      measure: `${rows} × ${columns} result → card`,
      value: round(median(times), 2),
      unit: `ms (${bytes} bytes)`,
      ...(rows === 5_000 ? { goal: 'well under 50 ms, under 28 KB', met: median(times) < 50 && bytes <= 28 * 1024 } : {}),
    });
  }
  return Promise.resolve(figures);
};
