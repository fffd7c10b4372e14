import {
  ENDPOINT_NAMES,
  type EndpointName,
  type Fault,
  type ScriptedAnswer,
  type ScriptedDownload,
  type ScriptedQuery,
  type ScriptedStep,
  type TableColumnSpec,
  type TableSpec,
} from './types';

/**
 * Checks scripts and faults that arrive as JSON (admin API, scenario files) or from tests, so a
 * mistake is reported at the moment it is made, by field, instead of as a strange answer later.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, expected: string): never {
  throw new ScenarioError(`${path}: expected ${expected}`);
}

function object(value: unknown, path: string): Json {
  return isObject(value) ? value : fail(path, 'an object');
}

function string(value: unknown, path: string): string {
  return typeof value === 'string' ? value : fail(path, 'a string');
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function number(value: unknown, path: string, min = 0): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fail(path, `a number >= ${min}`);
}

function integer(value: unknown, path: string, min: number): number {
  const n = number(value, path, min);
  return Number.isInteger(n) ? n : fail(path, `an integer >= ${min}`);
}

function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'boolean' ? value : fail(path, 'a boolean');
}

function array(value: unknown, path: string): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : fail(path, 'an array');
}

function unknownKeys(value: Json, allowed: readonly string[], path: string): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length) throw new ScenarioError(`${path}: unknown field(s) ${extra.join(', ')}`);
}

/** Steps must not go back in time (statuses may go back; time may not). */
function steps(value: unknown, path: string): ScriptedStep[] {
  const list = array(value, path);
  if (list.length === 0) fail(path, 'at least one step');
  let previous = 0;
  return list.map((item, i) => {
    const step = object(item, `${path}[${i}]`);
    unknownKeys(step, ['status', 'afterMs'], `${path}[${i}]`);
    const status = string(step.status, `${path}[${i}].status`);
    if (!status) fail(`${path}[${i}].status`, 'a non-empty string');
    const afterMs = number(step.afterMs, `${path}[${i}].afterMs`, previous);
    previous = afterMs;
    return { status, afterMs };
  });
}

function column(value: unknown, path: string): TableColumnSpec {
  const c = object(value, path);
  unknownKeys(c, ['name', 'type_name', 'type_text', 'type_scale', 'type_precision'], path);
  const spec: { -readonly [K in keyof TableColumnSpec]: TableColumnSpec[K] } = {
    name: string(c.name, `${path}.name`),
    type_name: string(c.type_name, `${path}.type_name`),
  };
  const typeText = optionalString(c.type_text, `${path}.type_text`);
  if (typeText !== undefined) spec.type_text = typeText;
  if (c.type_scale !== undefined) spec.type_scale = integer(c.type_scale, `${path}.type_scale`, 0);
  if (c.type_precision !== undefined) spec.type_precision = integer(c.type_precision, `${path}.type_precision`, 1);
  return spec;
}

export function parseTableSpec(value: unknown, path = 'result'): TableSpec {
  const t = object(value, path);
  if ('generate' in t) {
    unknownKeys(t, ['generate'], path);
    const g = object(t.generate, `${path}.generate`);
    unknownKeys(g, ['rows', 'columns'], `${path}.generate`);
    return { generate: { rows: integer(g.rows, `${path}.generate.rows`, 0), columns: integer(g.columns, `${path}.generate.columns`, 1) } };
  }
  unknownKeys(t, ['columns', 'rows', 'totalRowCount'], path);
  const columns = array(t.columns, `${path}.columns`).map((c, i) => column(c, `${path}.columns[${i}]`));
  const rows = array(t.rows, `${path}.rows`).map((row, r) => {
    const cells = array(row, `${path}.rows[${r}]`);
    if (cells.length !== columns.length) fail(`${path}.rows[${r}]`, `${columns.length} cells`);
    return cells.map((cell, c) => (cell === null ? null : string(cell, `${path}.rows[${r}][${c}] (cells are strings or null)`)));
  });
  if (t.totalRowCount === undefined) return { columns, rows };
  return { columns, rows, totalRowCount: integer(t.totalRowCount, `${path}.totalRowCount`, rows.length) };
}

function query(value: unknown, path: string): ScriptedQuery {
  const q = object(value, path);
  unknownKeys(q, ['title', 'description', 'sql', 'result', 'thoughts', 'download'], path);
  const description = optionalString(q.description, `${path}.description`);
  const thoughts =
    q.thoughts === undefined
      ? undefined
      : array(q.thoughts, `${path}.thoughts`).map((value, i) => {
          const t = object(value, `${path}.thoughts[${i}]`);
          unknownKeys(t, ['type', 'content'], `${path}.thoughts[${i}]`);
          return { type: string(t.type, `${path}.thoughts[${i}].type`), content: string(t.content, `${path}.thoughts[${i}].content`) };
        });
  return {
    title: string(q.title, `${path}.title`),
    ...(description !== undefined ? { description } : {}),
    sql: string(q.sql, `${path}.sql`),
    result: parseTableSpec(q.result, `${path}.result`),
    ...(thoughts ? { thoughts } : {}),
    ...(q.download !== undefined ? { download: scriptedDownload(q.download, `${path}.download`) } : {}),
  };
}

function scriptedDownload(value: unknown, path: string): ScriptedDownload {
  const d = object(value, path);
  unknownKeys(d, ['pendingMs', 'error'], path);
  const download: { pendingMs?: number; error?: ScriptedDownload['error'] } = {};
  if (d.pendingMs !== undefined) download.pendingMs = number(d.pendingMs, `${path}.pendingMs`);
  if (d.error !== undefined) download.error = scriptedError(d.error, `${path}.error`);
  return download;
}

function scriptedError(value: unknown, path: string): { type: string; message: string } {
  const e = object(value, path);
  unknownKeys(e, ['type', 'message'], path);
  return { type: string(e.type, `${path}.type`), message: string(e.message, `${path}.message`) };
}

const ANSWER_KEYS = ['steps', 'text', 'clarification', 'queries', 'suggestedQuestions', 'error', 'legacyTypedArray'] as const;

export function parseScriptedAnswer(value: unknown, path = 'answer'): ScriptedAnswer {
  const a = object(value, path);
  unknownKeys(a, ANSWER_KEYS, path);
  const answer: { -readonly [K in keyof ScriptedAnswer]: ScriptedAnswer[K] } = {};
  if (a.steps !== undefined) answer.steps = steps(a.steps, `${path}.steps`);
  const text = optionalString(a.text, `${path}.text`);
  if (text !== undefined) answer.text = text;
  const clarification = optionalString(a.clarification, `${path}.clarification`);
  if (clarification !== undefined) answer.clarification = clarification;
  if (a.queries !== undefined) answer.queries = array(a.queries, `${path}.queries`).map((q, i) => query(q, `${path}.queries[${i}]`));
  if (a.suggestedQuestions !== undefined) {
    answer.suggestedQuestions = array(a.suggestedQuestions, `${path}.suggestedQuestions`).map((s, i) =>
      string(s, `${path}.suggestedQuestions[${i}]`),
    );
  }
  if (a.error !== undefined) answer.error = scriptedError(a.error, `${path}.error`);
  const legacy = optionalBoolean(a.legacyTypedArray, `${path}.legacyTypedArray`);
  if (legacy !== undefined) answer.legacyTypedArray = legacy;
  return answer;
}

const FAULT_KEYS = ['endpoint', 'status', 'errorCode', 'message', 'retryAfter', 'times', 'stallMs', 'reset', 'afterProcessing'] as const;

export function parseFault(value: unknown, path = 'fault'): Fault {
  const f = object(value, path);
  unknownKeys(f, FAULT_KEYS, path);
  const endpoint = string(f.endpoint, `${path}.endpoint`);
  if (!ENDPOINT_NAMES.includes(endpoint as EndpointName)) fail(`${path}.endpoint`, `one of ${ENDPOINT_NAMES.join(', ')}`);
  const fault: { -readonly [K in keyof Fault]: Fault[K] } = { endpoint: endpoint as EndpointName };
  if (f.status !== undefined) {
    fault.status = integer(f.status, `${path}.status`, 100);
    if (fault.status > 599) fail(`${path}.status`, 'an HTTP status (100-599)');
  }
  const errorCode = optionalString(f.errorCode, `${path}.errorCode`);
  if (errorCode !== undefined) fault.errorCode = errorCode;
  const message = optionalString(f.message, `${path}.message`);
  if (message !== undefined) fault.message = message;
  const retryAfter = optionalString(f.retryAfter, `${path}.retryAfter`);
  if (retryAfter !== undefined) fault.retryAfter = retryAfter;
  if (f.times !== undefined) fault.times = integer(f.times, `${path}.times`, 1);
  if (f.stallMs !== undefined) fault.stallMs = number(f.stallMs, `${path}.stallMs`);
  const reset = optionalBoolean(f.reset, `${path}.reset`);
  if (reset !== undefined) fault.reset = reset;
  const afterProcessing = optionalBoolean(f.afterProcessing, `${path}.afterProcessing`);
  if (afterProcessing !== undefined) fault.afterProcessing = afterProcessing;
  return fault;
}

/** One entry of a scenario file or of POST /_emulator/scripts. */
export interface ScriptEntry {
  readonly match: string | RegExp;
  readonly answer: ScriptedAnswer;
}

/** `{match, regex?, flags?, answer}`; a regex is case-insensitive unless `flags` says otherwise. */
export function parseScriptEntry(value: unknown, path = 'script'): ScriptEntry {
  const s = object(value, path);
  unknownKeys(s, ['match', 'regex', 'flags', 'answer'], path);
  const match = string(s.match, `${path}.match`);
  const answer = parseScriptedAnswer(s.answer, `${path}.answer`);
  if (!optionalBoolean(s.regex, `${path}.regex`)) return { match, answer };
  const flags = optionalString(s.flags, `${path}.flags`) ?? 'i';
  try {
    return { match: new RegExp(match, flags), answer };
  } catch (error: unknown) {
    throw new ScenarioError(`${path}.match: invalid regular expression (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function parseScriptEntries(value: unknown, path = 'scenarios'): ScriptEntry[] {
  return array(value, path).map((entry, i) => parseScriptEntry(entry, `${path}[${i}]`));
}
