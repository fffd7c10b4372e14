import type { CellValue, ColumnKind, DecodedColumn, DecodedTable, StatementResponse } from './types';

const KIND_BY_TYPE: Record<string, ColumnKind> = {
  BYTE: 'integer',
  SHORT: 'integer',
  INT: 'integer',
  INTEGER: 'integer',
  LONG: 'integer',
  BIGINT: 'integer',
  DECIMAL: 'decimal',
  FLOAT: 'float',
  DOUBLE: 'float',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  TIMESTAMP_NTZ: 'timestamp',
};

/**
 * Rewrites a number written in scientific notation ("1.5E7", "-2.5e-3") as a plain decimal
 * string without going through a double, so big values keep every digit.
 */
export function expandScientific(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text.trim());
  if (!match || Math.abs(Number(match[4])) > 400) return text.trim();
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  let intPart: string;
  let fracPart: string;
  if (point <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    intPart = digits + '0'.repeat(point - digits.length);
    fracPart = '';
  } else {
    intPart = digits.slice(0, point);
    fracPart = digits.slice(point);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  fracPart = fracPart.replace(/0+$/, '');
  const plain = fracPart ? `${intPart}.${fracPart}` : intPart;
  return sign === '-' && /[1-9]/.test(plain) ? `-${plain}` : plain;
}

function decodeInteger(text: string): number | bigint | string {
  const plain = expandScientific(text);
  const integer = plain.split('.')[0] ?? plain;
  if (!/^-?\d+$/.test(integer)) return text;
  const asNumber = Number(integer);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(integer);
}

function decodeCell(kind: ColumnKind, raw: string | null | undefined): CellValue {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case 'integer':
      return decodeInteger(raw);
    case 'decimal':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim()) ? expandScientific(raw).replace(/^\+/, '') : raw;
    case 'float': {
      const value = Number(raw);
      return Number.isNaN(value) && raw.trim() !== 'NaN' ? raw : value;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    default:
      return raw;
  }
}

function decodeColumns(response: StatementResponse): DecodedColumn[] {
  const columns = [...(response.manifest?.schema?.columns ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  return columns.map((column, index) => {
    const typeName = (column.type_name ?? 'STRING').toUpperCase();
    const scale = column.type_scale ?? /DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(column.type_text ?? '')?.[1];
    return {
      name: column.name ?? `column ${index + 1}`,
      kind: KIND_BY_TYPE[typeName] ?? 'string',
      typeName,
      ...(typeName === 'DECIMAL' && scale !== undefined ? { scale: Number(scale) } : {}),
    };
  });
}

function rawRows(response: StatementResponse): (readonly (string | null | undefined)[])[] {
  const result = response.result;
  if (result?.data_array) return [...result.data_array];
  if (result?.data_typed_array) return result.data_typed_array.map((row) => (row.values ?? []).map((cell) => cell.str ?? null));
  return [];
}

/** Decodes a statement response (strings and nulls) into typed rows by each column's type_name. */
export function decodeStatement(response: StatementResponse): DecodedTable {
  const columns = decodeColumns(response);
  const rows = rawRows(response).map((row) => columns.map((column, i) => decodeCell(column.kind, row[i])));
  return {
    columns,
    rows,
    totalRowCount: Math.max(response.manifest?.total_row_count ?? rows.length, rows.length),
    truncated: Boolean(response.manifest?.truncated) || (response.manifest?.total_row_count ?? rows.length) > rows.length,
  };
}
