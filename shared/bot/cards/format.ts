import type { CellValue, DecodedColumn } from '../../genie';

/** How a missing value reads in every table: one mark, everywhere. */
export const NULL_MARK = '—';

/** Longest cell text shown; the full value is in Genie. */
export const MAX_CELL_CHARS = 120;

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Formats cells by column type and locale. Formatters are built once per column, not per cell:
 * Intl constructors are the expensive part of formatting a big table.
 */
export class CellFormatter {
  private readonly integer: Intl.NumberFormat;
  private readonly float: Intl.NumberFormat;
  private readonly smallFloat: Intl.NumberFormat;
  private readonly decimals = new Map<number, Intl.NumberFormat>();
  private readonly date: Intl.DateTimeFormat;
  private readonly timestamp: Intl.DateTimeFormat;

  constructor(readonly locale: string) {
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.float = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    this.smallFloat = new Intl.NumberFormat(locale, { maximumSignificantDigits: 3 });
    // Dates carry no zone in Databricks; showing them in UTC keeps the calendar day as stored.
    this.date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    this.timestamp = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  }

  private decimal(scale: number): Intl.NumberFormat {
    let format = this.decimals.get(scale);
    if (!format) {
      const digits = Math.min(scale, 6);
      format = new Intl.NumberFormat(this.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
      this.decimals.set(scale, format);
    }
    return format;
  }

  /** The cell as people read it: grouped digits, decimals by scale, readable dates, one null mark. */
  format(column: DecodedColumn, value: CellValue): string {
    if (value === null) return NULL_MARK;
    switch (column.kind) {
      case 'integer':
        return typeof value === 'number' || typeof value === 'bigint' ? this.integer.format(value) : String(value);
      case 'decimal':
        // Intl formats the exact decimal string: no rounding through a double.
        return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
          ? this.decimal(column.scale ?? 2).format(value as unknown as number)
          : String(value);
      case 'float':
        if (typeof value !== 'number') return String(value);
        if (!Number.isFinite(value)) return String(value);
        return Math.abs(value) < 1 && value !== 0 ? this.smallFloat.format(value) : this.float.format(value);
      case 'boolean':
        return String(value);
      case 'date':
        return this.dateText(String(value), this.date);
      case 'timestamp':
        return this.dateText(String(value), this.timestamp);
      case 'string':
        return truncate(String(value), MAX_CELL_CHARS);
    }
  }

  private dateText(text: string, format: Intl.DateTimeFormat): string {
    // Read zone-less values as UTC so every instance shows the same time, whatever its TZ.
    let iso = text.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d)/, '$1T$2');
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
    else if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
    const time = Date.parse(iso);
    return Number.isNaN(time) ? text : format.format(time);
  }
}

/** Whether a column holds numbers (right-aligned, chartable). */
export function isNumeric(column: DecodedColumn): boolean {
  return column.kind === 'integer' || column.kind === 'decimal' || column.kind === 'float';
}

/** A cell as a plain number for charts; null when it is not one. */
export function toNumber(value: CellValue): number | null {
  if (value === null || typeof value === 'boolean') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}
