import type { DecodedTable } from '../../genie';
import { isNumeric, toNumber } from './format';

export type ChartType = 'Chart.Line' | 'Chart.VerticalBar' | 'Chart.HorizontalBar' | 'Chart.Donut' | 'Chart.VerticalBar.Grouped';

/** What the chart rules look at: the result's shape, not its meaning. */
export interface TableShape {
  readonly rows: number;
  /** Kind of the first column, which labels the points. */
  readonly labelKind: 'time' | 'text' | 'number' | 'other';
  /** Numeric columns after the first. */
  readonly series: number;
  /** Every series value is a number ≥ 0. */
  readonly allNonNegative: boolean;
  /** The single series reads as shares: a name like share/percent/pct, or values summing to 100 or 1. */
  readonly looksLikeShares: boolean;
  readonly longestLabel: number;
}

/** The most points each chart draws: past it the rules pick another chart or none. */
export const CHART_MAX_POINTS: Readonly<Record<ChartType, number>> = {
  'Chart.Line': 60,
  'Chart.VerticalBar': 8,
  'Chart.HorizontalBar': 20,
  'Chart.Donut': 6,
  'Chart.VerticalBar.Grouped': 12,
};

export interface ChartRule {
  readonly chart: ChartType;
  /** Why, for the docs and the tests. */
  readonly because: string;
  readonly when: (shape: TableShape) => boolean;
}

/**
 * The rules, first match wins. A chart only where it tells more than the table: a time series, a
 * ranking or comparison of a few categories, parts of a whole. One row, or too many points, or no
 * numbers: no chart.
 */
export const CHART_RULES: readonly ChartRule[] = [
  {
    chart: 'Chart.Line',
    because: 'a time-like first column with numbers over at least 3 points is a trend',
    when: (s) => s.labelKind === 'time' && s.series >= 1 && s.series <= 5 && s.rows >= 3 && s.rows <= CHART_MAX_POINTS['Chart.Line'],
  },
  {
    chart: 'Chart.Donut',
    because: 'a few non-negative values that read as shares are parts of a whole',
    when: (s) =>
      s.labelKind === 'text' &&
      s.series === 1 &&
      s.rows >= 2 &&
      s.rows <= CHART_MAX_POINTS['Chart.Donut'] &&
      s.allNonNegative &&
      s.looksLikeShares,
  },
  {
    chart: 'Chart.VerticalBar.Grouped',
    because: 'several numeric series over a few categories compare side by side',
    when: (s) =>
      s.labelKind === 'text' && s.series >= 2 && s.series <= 5 && s.rows >= 2 && s.rows <= CHART_MAX_POINTS['Chart.VerticalBar.Grouped'],
  },
  {
    chart: 'Chart.HorizontalBar',
    because: 'one series over many categories, or long labels, reads better as horizontal bars',
    when: (s) =>
      s.labelKind === 'text' &&
      s.series === 1 &&
      s.rows >= 2 &&
      s.rows <= CHART_MAX_POINTS['Chart.HorizontalBar'] &&
      (s.rows > CHART_MAX_POINTS['Chart.VerticalBar'] || s.longestLabel > 14),
  },
  {
    chart: 'Chart.VerticalBar',
    because: 'one series over a few short-labelled categories is a bar chart',
    when: (s) => s.labelKind === 'text' && s.series === 1 && s.rows >= 2 && s.rows <= CHART_MAX_POINTS['Chart.VerticalBar'],
  },
];

const SHARE_NAME = /share|percent|pct|%|ratio|proportion|fraction/i;

/** The numeric columns a chart plots: all of them, unless their scales differ so much one flattens the rest. */
export function seriesColumns(table: DecodedTable): number[] {
  const indexes = table.columns.map((c, i) => (i > 0 && isNumeric(c) ? i : -1)).filter((i) => i > 0);
  if (indexes.length < 2) return indexes;
  const peaks = indexes.map((i) => Math.max(0, ...table.rows.map((row) => Math.abs(toNumber(row[i] ?? null) ?? 0))));
  const low = Math.min(...peaks);
  const high = Math.max(...peaks);
  return low > 0 && high / low <= 10 ? indexes : indexes.slice(0, 1);
}

export function shapeOf(table: DecodedTable): TableShape {
  const label = table.columns[0];
  const labelKind = !label
    ? 'other'
    : label.kind === 'date' || label.kind === 'timestamp'
      ? 'time'
      : label.kind === 'string'
        ? 'text'
        : isNumeric(label)
          ? 'number'
          : 'other';
  const series = seriesColumns(table);
  const values = table.rows.flatMap((row) => series.map((i) => toNumber(row[i] ?? null)));
  const sum = values.reduce<number>((a, v) => a + (v ?? 0), 0);
  const firstName = series[0] === undefined ? '' : (table.columns[series[0]]?.name ?? '');
  return {
    rows: table.rows.length,
    labelKind,
    series: series.length,
    allNonNegative: values.every((v) => v !== null && v >= 0),
    looksLikeShares: series.length === 1 && (SHARE_NAME.test(firstName) || Math.abs(sum - 100) < 0.5 || Math.abs(sum - 1) < 0.005),
    longestLabel: Math.max(0, ...table.rows.map((row) => String(row[0] ?? '').length)),
  };
}

export function chooseChart(table: DecodedTable): ChartRule | undefined {
  const shape = shapeOf(table);
  return CHART_RULES.find((rule) => rule.when(shape));
}

/**
 * Teams' chart renderer writes axis ticks itself (`1228k`) in a fixed width and cuts anything past
 * four characters ("12…"). From a million up, values are plotted in a unit of 10ⁿ that keeps them
 * under 100 (ticks like `0.31`, `18.4`), and the axis title names the unit compactly in the asker's
 * locale ("× 1M", "× 100萬"). Below a million the renderer's own `k` fits.
 */
export interface AxisScale {
  readonly divisor: number;
  /** The unit as the locale writes it compactly, or undefined when values are plotted as they are. */
  readonly unit?: string;
}

const SCALE_FROM = 1e6;

export function axisScale(values: readonly number[], locale: string): AxisScale {
  const largest = Math.max(0, ...values.map(Math.abs));
  if (!(largest >= SCALE_FROM) || !Number.isFinite(largest)) return { divisor: 1 };
  const divisor = 10 ** Math.max(Math.log10(SCALE_FROM), Math.floor(Math.log10(largest)) - 1);
  return { divisor, unit: new Intl.NumberFormat(locale, { notation: 'compact' }).format(divisor) };
}
