import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import {
  DEFAULT_EMULATOR_TOKEN,
  DEMO_OPS_SPACE_ID,
  DEMO_QUESTIONS,
  DEMO_SPACE_ID,
  type GenieEmulator,
  type GenieEmulatorOptions,
  parseScriptedAnswer,
  ScenarioError,
  type ScriptedAnswer,
  startGenieEmulator,
} from '../../dev/genie-emulator';
import { delay } from '../helpers/servers';

// Minimal views of the API's JSON, enough for assertions.
interface Attachment {
  attachment_id: string;
  query?: {
    id: string;
    title: string;
    description: string;
    query: string;
    statement_id: string;
    query_result_metadata?: { row_count: number; is_truncated: boolean };
  };
  text?: { id: string; content: string; purpose?: string };
  suggested_questions?: { questions: string[] };
}
interface Message {
  message_id: string;
  id: string;
  conversation_id: string;
  space_id: string;
  user_id: number;
  content: string;
  status: string;
  attachments?: Attachment[];
  error?: { error: string; type: string };
  feedback?: { rating: string; comment?: string };
  created_timestamp: number;
  last_updated_timestamp: number;
}
interface Started {
  conversation_id: string;
  message_id: string;
  conversation: { conversation_id: string; title: string };
  message: Message;
}
interface Column {
  name: string;
  type_text: string;
  type_name: string;
  position: number;
  type_precision?: number;
  type_scale?: number;
}
interface Statement {
  statement_id: string;
  status: { state: string; error?: { error_code: string; message: string } };
  manifest?: {
    format: string;
    schema: { column_count: number; columns: Column[] };
    total_row_count: number;
    total_chunk_count: number;
    truncated: boolean;
  };
  result?: {
    chunk_index: number;
    row_offset: number;
    row_count: number;
    data_array?: (string | null)[][];
    data_typed_array?: { values: { str?: string }[] }[];
  };
}
interface ErrorBody {
  error_code: string;
  message: string;
}

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** An emulator with an injected clock the test moves by hand. */
class Harness {
  private constructor(
    readonly emulator: GenieEmulator,
    private readonly time: { now: number },
  ) {}

  static async start(options: GenieEmulatorOptions = {}): Promise<Harness> {
    const time = { now: T0 };
    const emulator = await startGenieEmulator({ demo: false, now: () => time.now, ...options });
    started.push(emulator);
    return new Harness(emulator, time);
  }

  get clock(): number {
    return this.time.now;
  }

  set clock(ms: number) {
    this.time.now = ms;
  }

  get space(): string {
    return `/api/2.0/genie/spaces/${this.emulator.spaceId}`;
  }

  advance(ms: number): void {
    this.clock += ms;
  }

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; json: T; text: string }> {
    const response = await fetch(`${this.emulator.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.emulator.token}`, 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json: json as T, text };
  }

  async ask(content: string): Promise<Started> {
    const response = await this.call<Started>('POST', `${this.space}/start-conversation`, { content });
    assert.equal(response.status, 200, response.text);
    return response.json;
  }

  async poll(started: { conversation_id: string; message_id: string }): Promise<Message> {
    const response = await this.call<Message>(
      'GET',
      `${this.space}/conversations/${started.conversation_id}/messages/${started.message_id}`,
    );
    assert.equal(response.status, 200, response.text);
    return response.json;
  }

  async queryResult(
    started: { conversation_id: string; message_id: string },
    attachmentId: string,
  ): Promise<{ status: number; json: { statement_response: Statement } & Partial<ErrorBody> }> {
    return this.call(
      'GET',
      `${this.space}/conversations/${started.conversation_id}/messages/${started.message_id}/attachments/${attachmentId}/query-result`,
    );
  }
}

const started: GenieEmulator[] = [];
after(async () => {
  await Promise.all(started.map((e) => e.close()));
});

const regionTable = {
  columns: [
    { name: 'region', type_name: 'STRING' },
    { name: 'revenue', type_name: 'DECIMAL', type_precision: 38, type_scale: 2 },
  ],
  rows: [
    ['EMEA', '1250000.00'],
    ['APAC', '980500.50'],
    ['AMER', null],
  ],
};

const queries = (a: Message): Attachment[] => (a.attachments ?? []).filter((x) => x.query);

describe('Genie emulator: messages', () => {
  it('moves through the scripted statuses over scaled time, including a step back and an unknown status', async () => {
    const h = await Harness.start({ timeScale: 2 });
    h.emulator.script('Revenue?', {
      steps: [
        { status: 'SUBMITTED', afterMs: 0 },
        { status: 'ASKING_AI', afterMs: 100 },
        { status: 'EXECUTING_QUERY', afterMs: 200 },
        { status: 'ASKING_AI', afterMs: 300 },
        { status: 'IN_PROGRESS', afterMs: 350 },
        { status: 'EXECUTING_QUERY', afterMs: 400 },
        { status: 'COMPLETED', afterMs: 500 },
      ],
      queries: [{ title: 'Revenue', sql: 'SELECT 1', result: regionTable }],
      text: 'EMEA leads.',
    });
    const s = await h.ask('  revenue?  ');
    assert.match(s.conversation_id, HEX32);
    assert.match(s.message_id, HEX32);
    assert.equal(s.message.status, 'SUBMITTED');
    assert.equal(s.message.attachments, undefined, 'no attachments before the query runs');

    const seen: [number, string, number][] = [];
    for (const at of [199, 200, 400, 600, 700, 800, 999, 1000]) {
      h.clock = T0 + at;
      const m = await h.poll(s);
      seen.push([at, m.status, queries(m).length]);
      if (at === 1000) {
        assert.equal(m.attachments?.at(-1)?.text?.content, 'EMEA leads.');
        assert.equal(m.last_updated_timestamp, T0 + 1000);
      }
    }
    assert.deepEqual(seen, [
      [199, 'SUBMITTED', 0],
      [200, 'ASKING_AI', 0],
      [400, 'EXECUTING_QUERY', 1],
      [600, 'ASKING_AI', 1],
      [700, 'IN_PROGRESS', 1],
      [800, 'EXECUTING_QUERY', 1],
      [999, 'EXECUTING_QUERY', 1],
      [1000, 'COMPLETED', 1],
    ]);
    const [record] = h.emulator.messages();
    assert.equal(record?.finalStatus, 'COMPLETED');
    assert.equal(record?.finalAt, T0 + 1000);
    assert.equal(record?.getMessagePolls, 8);
  });

  it('returns several attachments in order (queries, text, suggestions) and each query its own result', async () => {
    const h = await Harness.start();
    h.emulator.script(/corrected/i, {
      queries: [
        { title: 'First try', sql: 'SELECT wrong', result: { columns: [{ name: 'n', type_name: 'LONG' }], rows: [['1']] } },
        { title: 'Revenue by region', description: 'Total revenue per region.', sql: 'SELECT region, SUM(revenue)', result: regionTable },
      ],
      text: 'EMEA led with $1.25M.',
      suggestedQuestions: ['Compare with last month', 'Break EMEA down'],
    });
    const s = await h.ask('a corrected answer please');
    assert.equal(s.conversation.conversation_id, s.conversation_id);
    assert.equal(s.message.message_id, s.message_id);
    assert.equal(s.message.id, s.message_id, 'legacy id duplicates message_id');
    h.advance(300);
    const m = await h.poll(s);
    assert.equal(m.status, 'COMPLETED');
    assert.equal(m.space_id, DEMO_SPACE_ID);
    assert.equal(typeof m.user_id, 'number');
    const kinds = (m.attachments ?? []).map((a) => (a.query ? 'query' : a.text ? 'text' : 'suggested'));
    assert.deepEqual(kinds, ['query', 'query', 'text', 'suggested']);
    const [first, last, text, suggested] = m.attachments ?? [];
    assert.ok(first && last && text && suggested);
    for (const a of m.attachments ?? []) assert.match(a.attachment_id, HEX32);
    assert.equal(last.query?.title, 'Revenue by region');
    assert.equal(last.query?.description, 'Total revenue per region.');
    assert.equal(last.query?.query, 'SELECT region, SUM(revenue)');
    assert.match(last.query?.statement_id ?? '', UUID);
    assert.deepEqual(last.query?.query_result_metadata, { row_count: 3, is_truncated: false });
    assert.equal(text.text?.purpose, 'TEXT_ATTACHMENT_PURPOSE_ANSWER');
    assert.deepEqual(suggested.suggested_questions?.questions, ['Compare with last month', 'Break EMEA down']);

    const r1 = await h.queryResult(s, first.attachment_id);
    assert.deepEqual(r1.json.statement_response.result?.data_array, [['1']]);
    const r2 = await h.queryResult(s, last.attachment_id);
    assert.equal(r2.json.statement_response.statement_id, last.query?.statement_id);
    assert.equal(r2.json.statement_response.result?.row_count, 3);
  });

  it('asks for clarification with a FOLLOW_UP_QUESTION text and no query', async () => {
    const h = await Harness.start();
    h.emulator.script('Best customer?', { clarification: 'By revenue or by orders?', suggestedQuestions: ['By revenue', 'By orders'] });
    const s = await h.ask('best customer?');
    h.advance(300);
    const m = await h.poll(s);
    assert.equal(m.status, 'COMPLETED');
    assert.equal(queries(m).length, 0);
    const text = m.attachments?.find((a) => a.text)?.text;
    assert.deepEqual(text && { content: text.content, purpose: text.purpose }, {
      content: 'By revenue or by orders?',
      purpose: 'FOLLOW_UP_QUESTION',
    });
  });

  it('fails with the scripted error type, and cancels', async () => {
    const h = await Harness.start();
    h.emulator.script('fail', { error: { type: 'WAREHOUSE_NOT_FOUND_EXCEPTION', message: 'No warehouse.' } });
    h.emulator.script('cancel', {
      steps: [
        { status: 'SUBMITTED', afterMs: 0 },
        { status: 'CANCELLED', afterMs: 80 },
      ],
    });
    const failed = await h.ask('fail');
    const cancelled = await h.ask('cancel');
    h.advance(299);
    assert.equal((await h.poll(failed)).status, 'ASKING_AI');
    assert.equal((await h.poll(failed)).error, undefined, 'no error before the final status');
    h.advance(1);
    const f = await h.poll(failed);
    assert.equal(f.status, 'FAILED');
    assert.deepEqual(f.error, { error: 'No warehouse.', type: 'WAREHOUSE_NOT_FOUND_EXCEPTION' });
    assert.equal(f.attachments, undefined);
    const c = await h.poll(cancelled);
    assert.equal(c.status, 'CANCELLED');
    assert.equal(c.error, undefined);
  });

  it('QUERY_RESULT_EXPIRED: query-result is CLOSED until execute-query runs it again, then the message is COMPLETED', async () => {
    const h = await Harness.start();
    h.emulator.script('expired', {
      steps: [
        { status: 'EXECUTING_QUERY', afterMs: 0 },
        { status: 'QUERY_RESULT_EXPIRED', afterMs: 100 },
      ],
      queries: [{ title: 'Revenue', sql: 'SELECT 1', result: regionTable }],
      text: 'Old answer.',
    });
    const s = await h.ask('expired');
    const running = await h.poll(s);
    const attachment = queries(running)[0];
    assert.ok(attachment);
    assert.equal(
      (await h.queryResult(s, attachment.attachment_id)).json.statement_response.status.state,
      'SUCCEEDED',
      'available while EXECUTING_QUERY',
    );
    h.advance(100);
    const expired = await h.poll(s);
    assert.equal(expired.status, 'QUERY_RESULT_EXPIRED');
    const closed = await h.queryResult(s, attachment.attachment_id);
    assert.equal(closed.status, 200);
    assert.equal(closed.json.statement_response.status.state, 'CLOSED');
    assert.equal(closed.json.statement_response.result, undefined);

    const path = `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/attachments/${attachment.attachment_id}/execute-query`;
    const rerun = await h.call<{ statement_response: Statement }>('POST', path, {});
    assert.equal(rerun.status, 200);
    assert.equal(rerun.json.statement_response.status.state, 'SUCCEEDED');
    assert.notEqual(rerun.json.statement_response.statement_id, attachment.query?.statement_id, 'a fresh statement');
    assert.deepEqual(rerun.json.statement_response.result?.data_array, regionTable.rows);
    const after = await h.poll(s);
    assert.equal(after.status, 'COMPLETED');
    assert.equal(queries(after)[0]?.query?.statement_id, rerun.json.statement_response.statement_id);
    assert.equal((await h.queryResult(s, attachment.attachment_id)).json.statement_response.status.state, 'SUCCEEDED');
    assert.equal(h.emulator.messages()[0]?.executeQueryCalls, 1);
  });

  it('answers query-result 404 before the query is visible and for unknown ids', async () => {
    const h = await Harness.start();
    h.emulator.script('q', { queries: [{ title: 't', sql: 's', result: regionTable }] });
    const s = await h.ask('q');
    const before = await h.call<ErrorBody>('GET', `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/query-result`);
    assert.equal(before.status, 404);
    assert.equal(before.json.error_code, 'RESOURCE_DOES_NOT_EXIST');
    h.advance(200);
    const legacy = await h.call<{ statement_response: Statement }>(
      'GET',
      `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/query-result`,
    );
    assert.equal(legacy.status, 200, 'deprecated per-message form');
    assert.equal(legacy.json.statement_response.manifest?.total_row_count, 3);
    const unknownMessage = await h.call<ErrorBody>('GET', `${h.space}/conversations/${s.conversation_id}/messages/${'0'.repeat(32)}`);
    assert.deepEqual([unknownMessage.status, unknownMessage.json.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
    const unknownSpace = await h.call<ErrorBody>('GET', `/api/2.0/genie/spaces/${'1'.repeat(32)}`);
    assert.deepEqual([unknownSpace.status, unknownSpace.json.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
  });
});

describe('Genie emulator: query results', () => {
  it('sends every cell as a string, keeps nulls, and describes the columns', async () => {
    const h = await Harness.start();
    h.emulator.script('q', { queries: [{ title: 't', sql: 's', result: regionTable }] });
    h.emulator.script('legacy', { legacyTypedArray: true, queries: [{ title: 't', sql: 's', result: regionTable }] });
    const s = await h.ask('q');
    const l = await h.ask('legacy');
    h.advance(300);
    const id = queries(await h.poll(s))[0]?.attachment_id ?? '';
    const { statement_response: st } = (await h.queryResult(s, id)).json;
    assert.equal(st.status.state, 'SUCCEEDED');
    assert.equal(st.manifest?.format, 'JSON_ARRAY');
    assert.deepEqual(st.manifest?.schema.columns, [
      { name: 'region', type_text: 'STRING', type_name: 'STRING', position: 0 },
      { name: 'revenue', type_text: 'DECIMAL(38,2)', type_name: 'DECIMAL', position: 1, type_precision: 38, type_scale: 2 },
    ]);
    assert.deepEqual([st.manifest?.total_row_count, st.manifest?.total_chunk_count, st.manifest?.truncated], [3, 1, false]);
    assert.deepEqual([st.result?.chunk_index, st.result?.row_offset, st.result?.row_count], [0, 0, 3]);
    assert.deepEqual(st.result?.data_array, [
      ['EMEA', '1250000.00'],
      ['APAC', '980500.50'],
      ['AMER', null],
    ]);

    const legacyId = queries(await h.poll(l))[0]?.attachment_id ?? '';
    const legacy = (await h.queryResult(l, legacyId)).json.statement_response.result;
    assert.equal(legacy?.data_array, undefined);
    assert.deepEqual(legacy?.data_typed_array?.[2], { values: [{ str: 'AMER' }, {}] });
  });

  it('cuts a generated result of more than 5,000 rows to 5,000 and flags it truncated', async () => {
    const h = await Harness.start();
    h.emulator.script('big', { queries: [{ title: 'big', sql: 'SELECT *', result: { generate: { rows: 6_500, columns: 9 } } }] });
    const s = await h.ask('big');
    h.advance(300);
    const attachment = queries(await h.poll(s))[0];
    assert.deepEqual(attachment?.query?.query_result_metadata, { row_count: 6_500, is_truncated: true });
    const { statement_response: st } = (await h.queryResult(s, attachment?.attachment_id ?? '')).json;
    assert.equal(st.manifest?.truncated, true);
    assert.equal(st.manifest?.total_row_count, 6_500);
    assert.equal(st.result?.row_count, 5_000);
    const rows = st.result?.data_array ?? [];
    assert.equal(rows.length, 5_000);
    assert.deepEqual(
      st.manifest?.schema.columns.map((c) => c.type_text),
      ['STRING', 'BIGINT', 'DECIMAL(18,2)', 'DOUBLE', 'DATE', 'TIMESTAMP', 'BOOLEAN', 'STRING', 'BIGINT'],
    );
    const cells = rows.flat();
    assert.ok(cells.every((c) => c === null || typeof c === 'string'));
    assert.ok(
      cells.some((c) => c === null),
      'some nulls',
    );
    assert.ok(rows.every((r) => r.length === 9 && r[0] !== null));
    assert.match(rows[0]?.[4] ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(
      cells.some((c) => c !== null && /E\d+$/.test(c)),
      'scientific notation appears',
    );
    // Deterministic: the same spec gives the same data in another emulator.
    const h2 = await Harness.start();
    h2.emulator.script('big', { queries: [{ title: 'big', sql: 'SELECT *', result: { generate: { rows: 6_500, columns: 9 } } }] });
    const s2 = await h2.ask('big');
    h2.advance(300);
    const again = (await h2.queryResult(s2, queries(await h2.poll(s2))[0]?.attachment_id ?? '')).json.statement_response.result?.data_array;
    assert.deepEqual(again?.slice(0, 50), rows.slice(0, 50));
  });
});

describe('Genie emulator: full-result downloads', () => {
  it('refuses downloads of what does not exist yet or failed, and looks without the signature', async () => {
    const h = await Harness.start();
    h.emulator.script('rows', { queries: [{ title: 'R', sql: 'SELECT 1', result: regionTable }] });
    h.emulator.script('broken', { queries: [{ title: 'B', sql: 'SELECT 1', result: regionTable }], error: { type: 'X', message: 'no' } });
    const s = await h.ask('rows');
    const path = (att: string) => `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/attachments/${att}/downloads`;
    h.advance(100);
    assert.equal((await h.call('POST', path('0'.repeat(32)), {})).status, 404, 'no query visible yet');
    h.advance(300);
    const attachment = queries(await h.poll(s))[0]!.attachment_id;
    const created = await h.call<{ download_id: string; download_id_signature: string }>('POST', path(attachment), {});
    assert.equal(created.status, 200);
    const unsigned = await h.call<ErrorBody>('GET', `${path(attachment)}/${created.json.download_id}`);
    assert.deepEqual([unsigned.status, unsigned.json.error_code], [400, 'INVALID_PARAMETER_VALUE']);
    const signed = await h.call<{ statement_response: Statement }>(
      'GET',
      `${path(attachment)}/${created.json.download_id}?download_id_signature=${created.json.download_id_signature}`,
    );
    assert.equal(signed.json.statement_response.status?.state, 'PENDING');

    const f = await h.ask('broken');
    h.advance(400);
    const failedAttachment = queries(await h.poll(f))[0]!.attachment_id;
    const failedPath = `${h.space}/conversations/${f.conversation_id}/messages/${f.message_id}/attachments/${failedAttachment}/downloads`;
    assert.equal((await h.call('POST', failedPath, {})).status, 400, 'a failed message has nothing to download');
  });

  it('checks a scripted download like every other script field', () => {
    const query = { title: 'R', sql: 'SELECT 1', result: regionTable };
    assert.throws(() => parseScriptedAnswer({ queries: [{ ...query, download: { pendingMs: -1 } }] }), ScenarioError);
    assert.throws(() => parseScriptedAnswer({ queries: [{ ...query, download: { after: 1 } }] }), ScenarioError);
    assert.deepEqual(parseScriptedAnswer({ queries: [{ ...query, download: { pendingMs: 5 } }] }).queries?.[0]?.download, { pendingMs: 5 });
  });
});

describe('Genie emulator: several spaces', () => {
  it('serves each space with its own title, demo data and conversations, and refuses a person a space they may not open', async () => {
    const h = await Harness.start({ demo: true, timeScale: 0, users: [{ token: 'alice', name: 'alice', spaces: [DEMO_SPACE_ID] }] });
    const ops = `/api/2.0/genie/spaces/${DEMO_OPS_SPACE_ID}`;
    assert.deepEqual(h.emulator.spaceIds, [DEMO_SPACE_ID, DEMO_OPS_SPACE_ID]);
    const info = await h.call<{ space_id: string; title: string; description: string }>('GET', ops);
    assert.equal(info.json.title, 'Operations (Genie emulator demo)');
    assert.match(info.json.description, /shipments/);

    const started = await h.call<Started>('POST', `${ops}/start-conversation`, { content: 'Late shipments by warehouse' });
    assert.equal(started.json.message.space_id, DEMO_OPS_SPACE_ID);
    const answered = await h.call<Message>(
      'GET',
      `${ops}/conversations/${started.json.conversation_id}/messages/${started.json.message_id}`,
    );
    assert.match(JSON.stringify(answered.json.attachments), /Late shipments by warehouse/, 'the ops demo data');
    const salesPath = `${h.space}/conversations/${started.json.conversation_id}`;
    assert.equal((await h.call('DELETE', salesPath)).status, 404, 'a conversation exists only in its own space');
    assert.equal((await h.call('DELETE', `${ops}/conversations/${started.json.conversation_id}`)).status, 200);
    assert.deepEqual(h.emulator.stats().conversationsDeleted, [started.json.conversation_id]);
    assert.deepEqual(
      h.emulator.messages().map((m) => m.spaceId),
      [DEMO_OPS_SPACE_ID],
    );

    const asAlice = { Authorization: 'Bearer alice' };
    assert.equal((await h.call('GET', h.space, undefined, asAlice)).status, 200);
    const refused = await h.call<ErrorBody>('GET', ops, undefined, asAlice);
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error_code, 'PERMISSION_DENIED');
    assert.equal((await h.call('POST', `${ops}/start-conversation`, { content: 'hi' }, asAlice)).status, 403);
  });
});

describe('Genie emulator: auth', () => {
  it('answers 401 UNAUTHENTICATED without a token, with a wrong one, and with another scheme', async () => {
    const h = await Harness.start();
    for (const authorization of ['', 'Bearer nope', `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      const r = await h.call<ErrorBody>('GET', h.space, undefined, { Authorization: authorization });
      assert.equal(r.status, 401, authorization);
      assert.equal(r.json.error_code, 'UNAUTHENTICATED');
      assert.equal(typeof r.json.message, 'string');
    }
    assert.equal(h.emulator.token, DEFAULT_EMULATOR_TOKEN);
    assert.equal((await h.call('GET', h.space)).status, 200);
    assert.equal(h.emulator.stats().responses['get-space 401'], 3);
  });

  it('issues OAuth M2M tokens that work until they expire', async () => {
    const h = await Harness.start({ oauthClients: [{ clientId: 'sp-id', clientSecret: 's3cret', expiresInSeconds: 60 }] });
    const token = (basic: string, form = 'grant_type=client_credentials&scope=all-apis'): Promise<Response> =>
      fetch(`${h.emulator.url}/oidc/v1/token`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(basic).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form,
      });
    const wrong = await token('sp-id:wrong');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_client');
    const noScope = await token('sp-id:s3cret', 'grant_type=client_credentials');
    assert.equal(noScope.status, 400);
    await noScope.body?.cancel();

    const granted = await token('sp-id:s3cret');
    assert.equal(granted.status, 200);
    const body = (await granted.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 60);
    const auth = { Authorization: `Bearer ${body.access_token}` };
    assert.equal((await h.call('GET', h.space, undefined, auth)).status, 200);
    h.advance(59_999);
    assert.equal((await h.call('GET', h.space, undefined, auth)).status, 200);
    h.advance(1);
    const expired = await h.call<ErrorBody>('GET', h.space, undefined, auth);
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error_code, 'UNAUTHENTICATED');
    assert.equal(h.emulator.stats().tokensIssued, 1);
    assert.equal(h.emulator.stats().requests.token, 3);
  });
});

describe('Genie emulator: faults and limits', () => {
  it('answers a 429 fault with Retry-After for as many requests as asked, then normally', async () => {
    const h = await Harness.start();
    h.emulator.fault({ endpoint: 'start-conversation', status: 429, retryAfter: '2', times: 2 });
    h.emulator.fault({ endpoint: 'get-space', status: 502 });
    for (let i = 0; i < 2; i++) {
      const r = await h.call<ErrorBody>('POST', `${h.space}/start-conversation`, { content: 'x' });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '2');
      assert.equal(r.json.error_code, 'RESOURCE_EXHAUSTED');
    }
    assert.equal((await h.call('POST', `${h.space}/start-conversation`, { content: 'x' })).status, 200);
    const gateway = await h.call('GET', h.space);
    assert.equal(gateway.status, 502);
    assert.equal(gateway.json, undefined, 'a gateway answers in plain text');
    assert.equal(h.emulator.stats().conversationsCreated, 1);
  });

  it('stalls a request long enough to trip a client timeout, then serves the next one', async () => {
    const h = await Harness.start();
    h.emulator.fault({ endpoint: 'get-space', stallMs: 400 });
    h.emulator.fault({ endpoint: 'get-space', stallMs: 50, status: 503 });
    const began = Date.now();
    await assert.rejects(
      fetch(`${h.emulator.url}${h.space}`, { headers: { Authorization: `Bearer ${h.emulator.token}` }, signal: AbortSignal.timeout(100) }),
      {
        name: 'TimeoutError',
      },
    );
    assert.ok(Date.now() - began < 350);
    const late = await h.call<ErrorBody>('GET', h.space);
    assert.equal(late.status, 503, 'stall, then the scripted status');
    assert.equal(late.json.error_code, 'TEMPORARILY_UNAVAILABLE');
    assert.equal((await h.call('GET', h.space)).status, 200);
  });

  it('resets the connection without answering', async () => {
    const h = await Harness.start();
    h.emulator.fault({ endpoint: 'get-space', reset: true });
    const error = await fetch(`${h.emulator.url}${h.space}`, { headers: { Authorization: `Bearer ${h.emulator.token}` } }).then(
      () => assert.fail('expected a network error'),
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    assert.equal(error.name, 'TypeError');
    assert.match(String(error.cause?.code), /ECONNRESET|UND_ERR_SOCKET/);
    assert.equal((await h.call('GET', h.space)).status, 200);
    assert.equal(h.emulator.stats().requests['get-space'], 2);
    assert.equal(h.emulator.stats().responses['get-space 200'], 1);
  });

  it('afterProcessing: the conversation exists although the client never got the answer', async () => {
    const h = await Harness.start();
    h.emulator.fault({ endpoint: 'start-conversation', reset: true, afterProcessing: true });
    await assert.rejects(h.call('POST', `${h.space}/start-conversation`, { content: 'lost answer' }));
    assert.equal(h.emulator.stats().conversationsCreated, 1);
    assert.equal(h.emulator.messages()[0]?.content, 'lost answer');
    const list = await h.call<{ conversations: { conversation_id: string; title: string }[] }>('GET', `${h.space}/conversations`);
    assert.equal(list.json.conversations[0]?.title, 'lost answer');
  });

  it('limits question POSTs per sliding minute with 429 and the seconds until a slot frees', async () => {
    const h = await Harness.start({ rateLimitPerMinute: 2 });
    const first = await h.ask('one');
    h.advance(10_000);
    await h.ask('two');
    h.advance(20_000);
    const limited = await h.call<ErrorBody>('POST', `${h.space}/conversations/${first.conversation_id}/messages`, { content: 'three' });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error_code, 'RESOURCE_EXHAUSTED');
    assert.equal(limited.headers.get('retry-after'), '30');
    await h.poll(first); // polling is not limited
    assert.equal((await h.call('GET', h.space)).status, 200);
    h.advance(29_999);
    assert.equal((await h.call('POST', `${h.space}/start-conversation`, { content: 'x' })).headers.get('retry-after'), '1');
    h.advance(1);
    const accepted = await h.call<Message>('POST', `${h.space}/conversations/${first.conversation_id}/messages`, { content: 'three' });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.json.conversation_id, first.conversation_id);
    assert.equal(h.emulator.messages().length, 3);
  });

  it('rejects malformed bodies and bad feedback with the error body instead of crashing', async () => {
    const h = await Harness.start();
    const malformed = await h.call<ErrorBody>('POST', `${h.space}/start-conversation`, '{"content":');
    assert.equal(malformed.status, 400);
    assert.equal(typeof malformed.json.error_code, 'string');
    const empty = await h.call<ErrorBody>('POST', `${h.space}/start-conversation`, { content: '  ' });
    assert.deepEqual([empty.status, empty.json.error_code], [400, 'INVALID_PARAMETER_VALUE']);
    const s = await h.ask('q');
    const feedback = `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/feedback`;
    for (const body of [{ rating: 'GREAT' }, { feedback_rating: 'POSITIVE' }, { rating: 'NEGATIVE', comment: 3 }]) {
      const r = await h.call<ErrorBody>('POST', feedback, body);
      assert.deepEqual([r.status, r.json.error_code], [400, 'INVALID_PARAMETER_VALUE'], JSON.stringify(body));
    }
    const wrongMethod = await h.call<ErrorBody>('PUT', `${h.space}/start-conversation`, { content: 'x' });
    assert.equal(wrongMethod.status, 404);
    assert.equal((await h.call('GET', h.space)).status, 200, 'still serving');
  });
});

/** One request on a fresh TCP connection that the server closes; resolves with every byte received. */
function rawRequest(url: string, path: string, headers: string[]): Promise<Buffer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write([`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: close', ...headers, '', ''].join('\r\n'));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function getRaw(
  url: string,
  headers: Record<string, string>,
  agent?: Agent,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Genie emulator: wire', () => {
  it('gzips large responses only when Accept-Encoding allows it, with the same decoded body', async () => {
    const h = await Harness.start();
    h.emulator.script('big', { queries: [{ title: 'big', sql: 'SELECT *', result: { generate: { rows: 300, columns: 7 } } }] });
    const s = await h.ask('big');
    h.advance(300);
    const id = queries(await h.poll(s))[0]?.attachment_id ?? '';
    const url = `${h.emulator.url}${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}/attachments/${id}/query-result`;
    const auth = { Authorization: `Bearer ${h.emulator.token}` };
    const zipped = await getRaw(url, { ...auth, 'Accept-Encoding': 'gzip, deflate' });
    const plain = await getRaw(url, { ...auth, 'Accept-Encoding': 'gzip;q=0, identity' });
    const none = await getRaw(url, auth);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'Accept-Encoding');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(none.headers['content-encoding'], undefined);
    assert.ok(zipped.body.length < plain.body.length / 2, `${zipped.body.length} vs ${plain.body.length}`);
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
    assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
    const small = await getRaw(`${h.emulator.url}${h.space}`, { ...auth, 'Accept-Encoding': 'gzip' });
    assert.equal(small.headers['content-encoding'], undefined, 'under 1 KB stays identity');

    const off = await Harness.start({ gzip: false });
    const offSpace = await getRaw(`${off.emulator.url}${off.space}/conversations?page_size=100`, {
      Authorization: `Bearer ${off.emulator.token}`,
      'Accept-Encoding': 'gzip',
    });
    assert.equal(offSpace.headers['content-encoding'], undefined);
  });

  it('counts requests by endpoint, connections, bytes on the wire, conversations, deletions and feedback', async () => {
    const h = await Harness.start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const auth = { Authorization: `Bearer ${h.emulator.token}` };
    for (let i = 0; i < 5; i++) assert.equal((await getRaw(`${h.emulator.url}${h.space}`, auth, agent)).status, 200);
    agent.destroy();
    let stats = h.emulator.stats();
    assert.equal(stats.connections, 1, 'keep-alive: five requests over one connection');
    assert.equal(stats.requests['get-space'], 5);
    assert.equal(stats.responses['get-space 200'], 5);

    h.emulator.reset();
    const received = await rawRequest(h.emulator.url, h.space, [`Authorization: Bearer ${h.emulator.token}`]);
    await delay(20);
    stats = h.emulator.stats();
    assert.equal(stats.bytesSent, received.length, 'bytes on the wire, headers included');
    assert.equal(stats.connections, 1);

    const a = await h.ask('one');
    const b = await h.ask('two');
    await h.call('POST', `${h.space}/conversations/${a.conversation_id}/messages/${a.message_id}/feedback`, {
      rating: 'POSITIVE',
      comment: 'nice',
    });
    await h.call('POST', `${h.space}/conversations/${b.conversation_id}/messages/${b.message_id}/feedback`, { rating: 'NEGATIVE' });
    const deleted = await h.call('DELETE', `${h.space}/conversations/${a.conversation_id}`);
    assert.equal(deleted.status, 200);
    const gone = await h.call<ErrorBody>('GET', `${h.space}/conversations/${a.conversation_id}/messages/${a.message_id}`);
    assert.deepEqual([gone.status, gone.json.error_code], [404, 'RESOURCE_DOES_NOT_EXIST']);
    stats = h.emulator.stats();
    assert.equal(stats.conversationsCreated, 2);
    assert.deepEqual(stats.conversationsDeleted, [a.conversation_id]);
    assert.equal(stats.activeConversations, 1);
    assert.deepEqual(stats.requests, {
      other: 0,
      'start-conversation': 2,
      'create-message': 0,
      'get-message': 1,
      'query-result': 0,
      'execute-query': 0,
      'generate-download': 0,
      'get-download': 0,
      feedback: 2,
      'delete-conversation': 1,
      'list-conversations': 0,
      'get-space': 1,
      token: 0,
    });
    assert.ok(stats.bytesSent > received.length);
    const feedback = h.emulator.feedback();
    assert.deepEqual(
      feedback.map((f) => [f.conversationId, f.messageId, f.rating, f.comment, f.spaceId, f.at]),
      [
        [a.conversation_id, a.message_id, 'POSITIVE', 'nice', h.emulator.spaceId, T0],
        [b.conversation_id, b.message_id, 'NEGATIVE', undefined, h.emulator.spaceId, T0],
      ],
    );
    assert.equal((await h.poll(b)).feedback?.rating, 'NEGATIVE');
    assert.equal(h.emulator.messages().length, 2, 'messages of deleted conversations stay in the log');
  });

  it('lists conversations newest first in pages', async () => {
    const h = await Harness.start();
    for (const q of ['a', 'b', 'c']) {
      await h.ask(q);
      h.advance(1);
    }
    type Page = { conversations: { conversation_id: string; title: string; created_timestamp: number }[]; next_page_token?: string };
    const first = await h.call<Page>('GET', `${h.space}/conversations?page_size=2`);
    assert.deepEqual(
      first.json.conversations.map((c) => c.title),
      ['c', 'b'],
    );
    assert.ok(first.json.next_page_token);
    const second = await h.call<Page>('GET', `${h.space}/conversations?page_size=2&page_token=${first.json.next_page_token}`);
    assert.deepEqual(
      second.json.conversations.map((c) => c.title),
      ['a'],
    );
    assert.equal(second.json.next_page_token, undefined);
    assert.equal((await h.call('GET', `${h.space}/conversations?page_size=101`)).status, 400);
  });
});

describe('Genie emulator: admin API and demo', () => {
  it('is scriptable over HTTP by another process, with the same semantics', async () => {
    const h = await Harness.start();
    const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
      const r = await fetch(`${h.emulator.url}/_emulator${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, json: await r.json() };
    };
    const answer: ScriptedAnswer = { text: 'Scripted over HTTP.', suggestedQuestions: ['More?'] };
    assert.equal((await admin('POST', '/scripts', { match: '^over http', regex: true, answer })).status, 200);
    assert.equal((await admin('POST', '/faults', { endpoint: 'get-message', status: 500 })).status, 200);
    const bad = await admin('POST', '/scripts', { match: 'x', answer: { steps: [{ status: 'COMPLETED', afterMs: -1 }] } });
    assert.equal(bad.status, 400);
    assert.equal((await admin('POST', '/faults', { endpoint: 'nowhere' })).status, 400);

    const s = await h.ask('Over HTTP, please');
    h.advance(300);
    const faulted = await h.call<ErrorBody>('GET', `${h.space}/conversations/${s.conversation_id}/messages/${s.message_id}`);
    assert.deepEqual([faulted.status, faulted.json.error_code], [500, 'INTERNAL_ERROR']);
    const m = await h.poll(s);
    assert.equal(m.attachments?.[0]?.text?.content, 'Scripted over HTTP.');

    const { json } = await admin('GET', '/stats');
    const report = json as {
      stats: { requests: Record<string, number>; conversationsCreated: number; connections: number };
      messages: { content: string; getMessagePolls: number }[];
      feedback: unknown[];
    };
    assert.equal(report.stats.conversationsCreated, 1);
    assert.equal(report.stats.requests['get-message'], 2);
    assert.equal(report.stats.requests.other, 0, 'admin calls are not Genie traffic');
    assert.deepEqual(
      report.messages.map((x) => [x.content, x.getMessagePolls]),
      [['Over HTTP, please', 1]],
    );
    assert.deepEqual(report.feedback, []);

    assert.equal((await admin('POST', '/reset')).status, 200);
    assert.equal(h.emulator.stats().conversationsCreated, 0);
    const after = await h.ask('Over HTTP, please');
    h.advance(300);
    assert.match((await h.poll(after)).attachments?.[0]?.text?.content ?? '', /local Genie emulator/, 'reset removed the script');
  });

  it('answers the demo questions with realistic tables, follows its own suggestions, and is honest about anything else', async () => {
    const h = await Harness.start({ demo: true });
    assert.ok(DEMO_QUESTIONS.length >= 6);
    const answers = new Map<string, Message>();
    const ask = async (q: string): Promise<Message> => {
      const s = await h.ask(q);
      h.advance(5_000);
      const m = await h.poll(s);
      assert.equal(m.status, 'COMPLETED', q);
      answers.set(q, m);
      return m;
    };
    for (const q of DEMO_QUESTIONS) await ask(q);
    const finals = h.emulator.messages().map((m) => m.finalAt - m.createdAt);
    assert.ok(
      finals.every((ms) => ms >= 1_500 && ms <= 4_000),
      `demo latencies ${finals.join(', ')}`,
    );

    const top = answers.get('Top 5 products by revenue');
    const topQuery = top && queries(top)[0];
    assert.ok(topQuery);
    const result = (
      await h.call<{ statement_response: Statement }>(
        'GET',
        `${h.space}/conversations/${top.conversation_id}/messages/${top.message_id}/attachments/${topQuery.attachment_id}/query-result`,
      )
    ).json.statement_response;
    assert.deepEqual(
      result.manifest?.schema.columns.map((c) => [c.name, c.type_text]),
      [
        ['product', 'STRING'],
        ['category', 'STRING'],
        ['revenue', 'DECIMAL(18,2)'],
        ['units', 'BIGINT'],
      ],
    );
    assert.equal(result.result?.row_count, 5);

    const clarify = answers.get('Who is our best customer?');
    assert.equal(clarify?.attachments?.find((a) => a.text)?.text?.purpose, 'FOLLOW_UP_QUESTION');
    for (const m of answers.values()) {
      const suggestions = m.attachments?.find((a) => a.suggested_questions)?.suggested_questions?.questions ?? [];
      assert.equal(suggestions.length, 2, m.content);
      for (const suggestion of suggestions) {
        const followUp = answers.get(suggestion) ?? (await ask(suggestion));
        assert.ok(
          queries(followUp).length > 0 || followUp.attachments?.some((a) => a.text?.purpose === 'FOLLOW_UP_QUESTION'),
          `"${suggestion}" is answered by the demo`,
        );
      }
    }
    const monthly = answers.get('Monthly revenue trend this year');
    assert.ok(monthly);
    const trend = (await h.queryResult(monthly, queries(monthly)[0]?.attachment_id ?? '')).json.statement_response;
    assert.equal(trend.manifest?.schema.columns[0]?.type_name, 'DATE');
    assert.equal(trend.result?.data_array?.[0]?.[0], '2026-01-01');

    const other = await ask('What is the meaning of life?');
    assert.equal(queries(other).length, 0);
    const text = other.attachments?.[0]?.text?.content ?? '';
    assert.match(text, /local Genie emulator, not a real Genie space/);
    for (const q of DEMO_QUESTIONS) assert.ok(text.includes(q), `the fallback lists "${q}"`);
    assert.equal(
      (await ask('  top 5 PRODUCTS by revenue  ')).attachments?.some((a) => a.query),
      true,
      'lenient demo matching',
    );
  });
});

describe('Genie emulator: CLI', () => {
  it('prints the settings to use, loads a scenario file and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genie-emulator-'));
    const scenarios = join(dir, 'scenarios.json');
    writeFileSync(
      scenarios,
      JSON.stringify([{ match: 'from a file', answer: { text: 'Loaded from a file.', steps: [{ status: 'COMPLETED', afterMs: 0 }] } }]),
    );
    const child = spawn(
      process.execPath,
      [join(__dirname, '../../dev/genie-emulator/cli.js'), '--port', '0', '--scenarios', scenarios, '--token', 'cli-token'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          output += chunk;
          if (/DATABRICKS_TOKEN=.*\n/.test(output)) resolve();
        });
        child.once('exit', (code) => reject(new Error(`cli exited early (${code}): ${output}`)));
      });
      const setting = (name: string): string => new RegExp(`^${name}=(.*)$`, 'm').exec(output)?.[1] ?? '';
      assert.equal(setting('GENIE_SPACE_ID'), DEMO_SPACE_ID);
      assert.equal(setting('DATABRICKS_TOKEN'), 'cli-token');
      const host = setting('DATABRICKS_HOST');
      assert.match(host, /^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${host}/api/2.0/genie/spaces/${DEMO_SPACE_ID}/start-conversation`, {
        method: 'POST',
        headers: { Authorization: 'Bearer cli-token' },
        body: JSON.stringify({ content: 'From a file' }),
      });
      const body = (await r.json()) as Started;
      assert.equal(body.message.attachments?.[0]?.text?.content, 'Loaded from a file.');
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
