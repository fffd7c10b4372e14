import type { TableColumnSpec, TableSpec } from './types';

/** A Genie query result holds at most this many rows; more are cut and flagged truncated. */
export const MAX_RESULT_ROWS = 5_000;

export interface ColumnManifest {
  name: string;
  type_text: string;
  type_name: string;
  position: number;
  type_precision?: number;
  type_scale?: number;
}

/** A table as the SQL Statement API would return it, before it is wrapped in a statement response. */
export interface MaterializedTable {
  readonly columns: ColumnManifest[];
  /** At most MAX_RESULT_ROWS rows; every non-null cell a string. */
  readonly rows: (string | null)[][];
  /** The full row count (what the query would have returned without the cap). */
  readonly totalRowCount: number;
  readonly truncated: boolean;
}

/** SQL type text Databricks reports for each type_name (LONG is BIGINT in SQL, and so on). */
const TYPE_TEXT: Record<string, string> = {
  LONG: 'BIGINT',
  INT: 'INT',
  SHORT: 'SMALLINT',
  BYTE: 'TINYINT',
};

function columnManifest(column: TableColumnSpec, position: number): ColumnManifest {
  const typeName = column.type_name.toUpperCase();
  const manifest: ColumnManifest = {
    name: column.name,
    type_text: column.type_text ?? defaultTypeText(typeName, column.type_precision, column.type_scale),
    type_name: typeName,
    position,
  };
  if (typeName === 'DECIMAL' || column.type_precision !== undefined) manifest.type_precision = column.type_precision ?? 10;
  if (typeName === 'DECIMAL' || column.type_scale !== undefined) manifest.type_scale = column.type_scale ?? 0;
  return manifest;
}

function defaultTypeText(typeName: string, precision: number | undefined, scale: number | undefined): string {
  if (typeName === 'DECIMAL') return `DECIMAL(${precision ?? 10},${scale ?? 0})`;
  return TYPE_TEXT[typeName] ?? typeName;
}

const cache = new WeakMap<TableSpec, MaterializedTable>();
const fullCache = new WeakMap<TableSpec, MaterializedTable>();

/** Turns a table spec into result rows and manifest columns; memoized per spec object. */
export function materialize(spec: TableSpec): MaterializedTable {
  const cached = cache.get(spec);
  if (cached) return cached;
  const table = 'generate' in spec ? generateTable(spec.generate.rows, spec.generate.columns) : explicitTable(spec, MAX_RESULT_ROWS);
  cache.set(spec, table);
  return table;
}

/**
 * Every row of the result, past the 5,000 a query result holds: what a full-result download
 * serves. A script's explicit rows are all there is (a larger totalRowCount is only claimed).
 */
export function materializeFull(spec: TableSpec): MaterializedTable {
  const cached = fullCache.get(spec);
  if (cached) return cached;
  const table =
    'generate' in spec ? generateTable(spec.generate.rows, spec.generate.columns, spec.generate.rows) : explicitTable(spec, Infinity);
  fullCache.set(spec, table);
  return table;
}

function explicitTable(spec: Extract<TableSpec, { columns: unknown }>, maxRows: number): MaterializedTable {
  const totalRowCount = Math.max(spec.totalRowCount ?? spec.rows.length, spec.rows.length);
  const rows = spec.rows.slice(0, maxRows);
  return {
    columns: spec.columns.map(columnManifest),
    rows,
    totalRowCount,
    truncated: totalRowCount > rows.length,
  };
}

type GeneratedKind = 'STRING' | 'LONG' | 'DECIMAL' | 'DOUBLE' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN';
const GENERATED_KINDS: readonly GeneratedKind[] = ['STRING', 'LONG', 'DECIMAL', 'DOUBLE', 'DATE', 'TIMESTAMP', 'BOOLEAN'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima'];
const DAY_MS = 86_400_000;
const BASE_DATE = Date.UTC(2024, 0, 1);

/** mulberry32: a tiny seeded PRNG, so generated tables are identical on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Deterministic synthetic data: columns cycle through STRING, LONG, DECIMAL(18,2), DOUBLE, DATE,
 * TIMESTAMP, BOOLEAN; about 8% nulls outside the first column; the first LONG column holds one
 * integer above 2^53 and DOUBLE columns some values in scientific notation, as warehouses send them.
 * Only the rows that fit in a result (`maxRows`) are produced; totalRowCount reports the full count.
 */
export function generateTable(rowCount: number, columnCount: number, maxRows: number = MAX_RESULT_ROWS): MaterializedTable {
  const random = seeded(rowCount * 7_919 + columnCount);
  const kinds = Array.from({ length: columnCount }, (_, i) => GENERATED_KINDS[i % GENERATED_KINDS.length] ?? 'STRING');
  const columns = kinds.map((kind, i) =>
    columnManifest(
      { name: `${kind.toLowerCase()}_${i}`, type_name: kind, ...(kind === 'DECIMAL' ? { type_precision: 18, type_scale: 2 } : {}) },
      i,
    ),
  );
  // Rows come from one seeded sequence, so a full table starts with exactly the rows of the capped one.
  const kept = Math.min(rowCount, maxRows);
  const rows: (string | null)[][] = [];
  for (let r = 0; r < kept; r++) {
    rows.push(kinds.map((kind, c) => (c > 0 && random() < 0.08 ? null : generatedCell(kind, r, c, random))));
  }
  return { columns, rows, totalRowCount: rowCount, truncated: rowCount > kept };
}

function generatedCell(kind: GeneratedKind, row: number, column: number, random: () => number): string {
  switch (kind) {
    case 'STRING':
      return `${WORDS[(row + column) % WORDS.length] ?? 'item'}-${row}`;
    case 'LONG':
      return column === 1 && row === 2 ? '9007199254740993' : String(Math.floor(random() * 1_000_000));
    case 'DECIMAL':
      return ((random() - 0.1) * 1_000_000).toFixed(2);
    case 'DOUBLE':
      return row % 10 === 9 ? `${(1 + random() * 8).toFixed(4)}E${7 + (row % 5)}` : String(Math.round(random() * 1e6) / 1e3);
    case 'DATE':
      return new Date(BASE_DATE + row * DAY_MS).toISOString().slice(0, 10);
    case 'TIMESTAMP':
      return new Date(BASE_DATE + row * 3_600_000 + Math.floor(random() * 3_600_000)).toISOString();
    case 'BOOLEAN':
      return random() < 0.5 ? 'true' : 'false';
  }
}

/** The statement_response of a finished query, in the JSON_ARRAY (or legacy data_typed_array) shape. */
export function succeededStatement(statementId: string, table: MaterializedTable, legacyTypedArray: boolean): unknown {
  const rowCount = table.rows.length;
  const result: Record<string, unknown> = { chunk_index: 0, row_offset: 0, row_count: rowCount };
  // The Statement Execution API leaves data_array out of an empty result; clients must cope.
  if (rowCount > 0) {
    if (legacyTypedArray) {
      result.data_typed_array = table.rows.map((row) => ({ values: row.map((cell) => (cell === null ? {} : { str: cell })) }));
    } else {
      result.data_array = table.rows;
    }
  }
  return {
    statement_id: statementId,
    status: { state: 'SUCCEEDED' },
    manifest: {
      format: 'JSON_ARRAY',
      schema: { column_count: table.columns.length, columns: table.columns },
      total_row_count: table.totalRowCount,
      total_chunk_count: rowCount > 0 ? 1 : 0,
      chunks: rowCount > 0 ? [{ chunk_index: 0, row_offset: 0, row_count: rowCount }] : [],
      truncated: table.truncated,
    },
    result,
  };
}
