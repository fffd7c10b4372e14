import type { CellValue, DecodedTable, FeedbackRating, GenieAnswer } from '../../genie';
import { type Locale, type Messages, messagesFor } from '../../i18n';
import { axisScale, CHART_MAX_POINTS, type ChartType, chooseChart, seriesColumns } from './chart';
import {
  type AdaptiveCard,
  askButton,
  attachment,
  card,
  type CardElement,
  downloadButton,
  FEEDBACK_VERB,
  feedbackButtons,
  jsonBytes,
  text,
} from './elements';
import { plainText, safeProse } from './escape';
import { CellFormatter, isNumeric, toNumber } from './format';

export interface CardSettings {
  /** Budget for the whole message, bytes of UTF-8 JSON. @default 28672 */
  readonly maxBytes: number;
  /** @default 25 */
  readonly maxRows: number;
  /** @default 12 */
  readonly maxColumns: number;
  /** The asker's language: the card's words, numbers and dates. */
  readonly locale: Locale;
  /** The only origin Genie's prose may link to (the workspace); absent: no links at all. */
  readonly linkOrigin?: string;
}

/** Room kept for the activity around the card (ids, addresses, conversation): measured ≈ 600 bytes. */
export const ENVELOPE_RESERVE_BYTES = 1_024;

export type FeedbackState =
  | { readonly kind: 'buttons'; readonly job?: string }
  | { readonly kind: 'given'; readonly rating: FeedbackRating }
  | { readonly kind: 'none' };

interface Layout {
  rows: number;
  columns: number;
  chart: boolean;
  sqlChars: number;
  textChars: number;
}

const SQL_ID = 'sql';

function cut(value: string, max: number, note: string): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(0, max))}… ${note}`;
}

/** Axis titles: categories along x and values along y, except that horizontal bars turn both round. */
function axisTitles(type: ChartType, labels: string | undefined, values: string | undefined): CardElement {
  if (type === 'Chart.Donut') return {};
  const [x, y] = type === 'Chart.HorizontalBar' ? [values, labels] : [labels, values];
  return { ...(x ? { xAxisTitle: x } : {}), ...(y ? { yAxisTitle: y } : {}) };
}

function chartElement(table: DecodedTable, type: ChartType, messages: Messages): CardElement {
  const label = (row: readonly CellValue[]): string => String(row[0] ?? '—');
  const series = seriesColumns(table);
  const rows = table.rows.slice(0, CHART_MAX_POINTS[type]);
  const first = series[0] ?? 1;
  // A NULL is no point at all: plotting it as 0 would tell something the data does not.
  const points = (i: number) =>
    rows.flatMap((row) => {
      const y = toNumber(row[i] ?? null);
      return y === null ? [] : [{ x: label(row), y }];
    });
  // A donut shows shares, no axis: its values stay as they are.
  const scale =
    type === 'Chart.Donut'
      ? { divisor: 1 }
      : axisScale(
          series.flatMap((i) => points(i).map((p) => p.y)),
          messages.locale,
        );
  const scaled = (i: number) => points(i).map(({ x, y }) => ({ x, y: y / scale.divisor }));
  const data =
    type === 'Chart.Donut'
      ? points(first).map(({ x, y }) => ({ legend: x, value: y }))
      : type === 'Chart.Line' || type === 'Chart.VerticalBar.Grouped'
        ? series.map((i) => ({ legend: table.columns[i]?.name ?? '', values: scaled(i) }))
        : scaled(first);
  const valueTitle = series.length === 1 ? table.columns[first]?.name : undefined;
  return {
    type,
    ...axisTitles(
      type,
      table.columns[0]?.name,
      scale.unit ? messages.text('card.axisScaled', { title: valueTitle ?? '', unit: scale.unit }).trim() : valueTitle,
    ),
    data,
    // Clients without Teams charts show this pointer; the table below always carries the data.
    fallback: text(messages.text('card.chartFallback'), { isSubtle: true, size: 'Small' }),
  };
}

/** East Asian wide characters (Han, kana, Hangul, full-width forms) take two columns of a Latin letter. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/g;

/** How wide a text shows, in Latin letters. */
function displayWidth(value: string): number {
  return value.length + (value.match(WIDE)?.length ?? 0);
}

function tableElement(table: DecodedTable, rows: number, columns: number, formatter: CellFormatter): CardElement {
  // Widths are measured on the text as read; the cells carry it escaped (data is never markdown).
  const shown = table.columns.slice(0, columns);
  const texts = table.rows.slice(0, rows).map((row) => shown.map((c, i) => formatter.format(c, row[i] ?? null)));
  // Room in proportion to what each column holds. Numbers and dates never wrap (one broken across
  // lines misreads), so they get their full length plus a margin; text wraps, so it gets less.
  const unbroken = shown.map((c) => isNumeric(c) || c.kind === 'date' || c.kind === 'timestamp');
  const widths = shown.map((c, i) => {
    const longest = Math.max(Math.min(displayWidth(c.name), 14), ...texts.map((cells) => displayWidth(cells[i] ?? '')));
    return unbroken[i] ? Math.max(5, Math.min(24, longest + 2)) : Math.max(4, Math.min(16, longest));
  });
  const cell = (value: string, wrap: boolean, header = false): CardElement => ({
    type: 'TableCell',
    items: [{ type: 'TextBlock', text: plainText(value), ...(wrap ? { wrap: true } : {}), ...(header ? { weight: 'Bolder' } : {}) }],
  });
  return {
    type: 'Table',
    firstRowAsHeader: true,
    gridStyle: 'accent',
    columns: shown.map((c, i) => ({ width: widths[i], ...(isNumeric(c) ? { horizontalCellContentAlignment: 'Right' } : {}) })),
    rows: [
      { type: 'TableRow', style: 'accent', cells: shown.map((c) => cell(c.name, true, true)) },
      ...texts.map((cells) => ({ type: 'TableRow', cells: cells.map((value, i) => cell(value, !unbroken[i])) })),
    ],
  };
}

function countLine(table: DecodedTable, layout: Layout, messages: Messages): string {
  const rowsCut = layout.rows < table.totalRowCount;
  const columnsCut = layout.columns < table.columns.length;
  const yes = (flag: boolean) => (flag ? 'yes' : 'no');
  return messages.text('card.count', {
    rowsCut: yes(rowsCut),
    shownRows: layout.rows,
    totalRows: table.totalRowCount,
    columnsCut: yes(columnsCut),
    shownColumns: layout.columns,
    totalColumns: table.columns.length,
    cut: yes(rowsCut || columnsCut),
    truncated: yes(table.truncated && table.rows.length < table.totalRowCount),
    returnedRows: table.rows.length,
  });
}

function build(
  answer: GenieAnswer,
  layout: Layout,
  feedback: FeedbackState,
  formatter: CardFormatterSet,
  linkOrigin: string | undefined,
): AdaptiveCard {
  const { messages } = formatter;
  const body: CardElement[] = [];
  const { table, query } = answer;
  if (answer.clarification) {
    body.push(text(messages.text('card.clarifyTitle'), { weight: 'Bolder' }));
    body.push(text(safeProse(answer.clarification, linkOrigin)));
    body.push(text(messages.text('card.clarifyHint'), { isSubtle: true, size: 'Small' }));
  }
  if (answer.text) body.push(text(safeProse(cut(answer.text, layout.textChars, ''), linkOrigin)));
  if (!answer.text && !answer.clarification && !query) body.push(text(messages.text('card.noAnswer')));
  if (query?.title) body.push(text(plainText(query.title), { weight: 'Bolder', spacing: 'Medium' }));
  if (query?.description) body.push(text(plainText(query.description), { isSubtle: true, spacing: 'Small' }));
  if (table && table.columns.length) {
    if (layout.chart && formatter.chart) body.push(chartElement(table, formatter.chart, messages));
    if (layout.rows > 0) body.push(tableElement(table, layout.rows, layout.columns, formatter.cells));
    body.push(text(countLine(table, layout, messages), { isSubtle: true, size: 'Small', spacing: 'Small' }));
  } else if (query && !table) {
    body.push(text(messages.text('card.noTable'), { isSubtle: true, size: 'Small' }));
  }
  if (query?.sql && layout.sqlChars > 0) {
    body.push({
      type: 'Container',
      id: SQL_ID,
      isVisible: false,
      items: [
        text(plainText(cut(query.sql, layout.sqlChars, messages.text('card.sqlShortened'))), { fontType: 'Monospace', size: 'Small' }),
      ],
    });
  }
  if (answer.suggestedQuestions.length) {
    body.push(text(messages.text('card.followUps'), { size: 'Small', weight: 'Bolder', spacing: 'Medium' }));
    body.push({ type: 'ActionSet', actions: answer.suggestedQuestions.slice(0, 5).map(askButton) });
  }
  const actions: CardElement[] = [];
  // The whole result, when the card shows less of it than there is (and the button can be bound to its job).
  const partial = table !== undefined && (layout.rows < table.totalRowCount || layout.columns < table.columns.length || table.truncated);
  if (partial && query && feedback.kind === 'buttons' && feedback.job) {
    actions.push(downloadButton(answer.ref, feedback.job, table.totalRowCount, messages));
  }
  if (query?.sql && layout.sqlChars > 0)
    actions.push({ type: 'Action.ToggleVisibility', title: messages.text('card.showSql'), targetElements: [SQL_ID] });
  if (feedback.kind === 'buttons') actions.push(...feedbackButtons(answer.ref, messages, feedback.job));
  if (actions.length) body.push({ type: 'ActionSet', id: 'answer-actions', actions, spacing: 'Medium' });
  if (feedback.kind === 'given') body.push(feedbackReceipt(feedback.rating, messages));
  return card(body);
}

function feedbackReceipt(rating: FeedbackRating, messages: Messages): CardElement {
  return text(messages.text('feedback.receipt', { vote: rating === 'POSITIVE' ? '👍' : '👎' }), {
    id: 'feedback-receipt',
    isSubtle: true,
    size: 'Small',
  });
}

/**
 * The same card after a rating: the 👍/👎 buttons give way to a receipt, so the card shows it was
 * recorded and cannot be clicked twice. Works on the stored card JSON; everything else is kept.
 */
export function withFeedbackGiven(original: AdaptiveCard, rating: FeedbackRating, messages: Messages): AdaptiveCard {
  const body = original.body
    .filter((element) => element.id !== 'feedback-receipt')
    .map((element) => {
      if (element.id !== 'answer-actions' || !Array.isArray(element.actions)) return element;
      return { ...element, actions: (element.actions as CardElement[]).filter((a) => a.verb !== FEEDBACK_VERB) };
    })
    .filter((element) => element.id !== 'answer-actions' || (element.actions as CardElement[]).length > 0);
  return { ...original, body: [...body, feedbackReceipt(rating, messages)] };
}

interface CardFormatterSet {
  readonly messages: Messages;
  readonly cells: CellFormatter;
  readonly chart?: ChartType;
}

/**
 * The answer card: Genie's words, the query's title and description, a native chart where the
 * result's shape suits one, the table (numbers right-aligned and formatted by type and locale),
 * the SQL behind a toggle, follow-up buttons and 👍/👎 for this exact Genie message. Rows, chart,
 * columns, SQL and text are cut, in that order, until the serialized message fits the budget.
 */
export function renderAnswerCard(answer: GenieAnswer, settings: CardSettings, feedback: FeedbackState = { kind: 'buttons' }): AdaptiveCard {
  const budget = settings.maxBytes - ENVELOPE_RESERVE_BYTES;
  const table = answer.table;
  const formatters: CardFormatterSet = {
    messages: messagesFor(settings.locale),
    cells: new CellFormatter(settings.locale),
    ...(table ? { chart: chooseChart(table)?.chart } : {}),
  };
  const fits = (layout: Layout): AdaptiveCard | undefined => {
    const built = build(answer, layout, feedback, formatters, settings.linkOrigin);
    return jsonBytes(attachment(built)) <= budget ? built : undefined;
  };
  const full: Layout = {
    rows: Math.min(settings.maxRows, table?.rows.length ?? 0),
    columns: Math.min(settings.maxColumns, table?.columns.length ?? 0),
    chart: formatters.chart !== undefined,
    sqlChars: answer.query?.sql?.length ?? 0,
    textChars: answer.text?.length ?? 0,
  };
  const first = fits(full);
  if (first) return first;

  // Most rows that fit, with the chart if at least a few rows still fit beside it.
  const mostRows = (layout: Layout): Layout | undefined => {
    let low = 0;
    let high = layout.rows;
    if (!fits({ ...layout, rows: 0 })) return undefined;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits({ ...layout, rows: mid })) low = mid;
      else high = mid - 1;
    }
    return { ...layout, rows: low };
  };
  const withChart = full.chart ? mostRows(full) : undefined;
  if (withChart && withChart.rows >= Math.min(5, full.rows)) return fits(withChart)!;
  const noChart = mostRows({ ...full, chart: false });
  if (noChart && noChart.rows > 0) return fits(noChart)!;

  // Even one row does not fit: fewer columns, then shorter SQL, then shorter text.
  let layout: Layout = { ...full, chart: false, rows: Math.min(1, full.rows) };
  while (layout.columns > 1 && !fits(layout)) layout = { ...layout, columns: layout.columns - 1 };
  for (const sqlChars of [2_000, 500, 0]) if (!fits(layout) && layout.sqlChars > sqlChars) layout = { ...layout, sqlChars };
  for (const textChars of [4_000, 1_000, 300]) if (!fits(layout) && layout.textChars > textChars) layout = { ...layout, textChars };
  return (
    fits(layout) ??
    build(answer, { rows: 0, columns: 0, chart: false, sqlChars: 0, textChars: 300 }, { kind: 'none' }, formatters, settings.linkOrigin)
  );
}
