import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type GenieEmulator, startGenieEmulator } from '../../../dev/genie-emulator';
import type { HttpClientSettings } from '../../../shared/config';
import {
  askGenie,
  databricksOAuthTokenSource,
  GenieAnswerError,
  GenieClient,
  GenieHttpError,
  GenieUncertainError,
  patTokenSource,
  userMessageKey,
} from '../../../shared/genie';
import { KeepAliveHttpClient } from '../../../shared/http';
import { messagesFor } from '../../../shared/i18n';
import { ManualClock } from '../../../shared/runtime';

const HTTP: HttpClientSettings = {
  connectTimeoutMs: 1_000,
  readTimeoutMs: 2_000,
  totalTimeoutMs: 3_000,
  maxSockets: 100,
  maxSocketsPerHost: 30,
  freeSocketTimeoutMs: 30_000,
};

describe('GenieClient against the emulator', () => {
  // One clock for both sides: the client's sleeps advance the emulator's time, so a 20 s answer takes no time.
  let clock: ManualClock;
  let genie: GenieEmulator;
  let http: KeepAliveHttpClient;

  function client(overrides: Partial<ConstructorParameters<typeof GenieClient>[0]> = {}): GenieClient {
    return new GenieClient({
      host: genie.url,
      spaceId: genie.spaceId,
      http,
      tokens: patTokenSource(genie.token),
      clock,
      random: () => 0.5,
      ...overrides,
    });
  }

  before(async () => {
    clock = new ManualClock(Date.parse('2026-06-15T12:00:00Z'));
    genie = await startGenieEmulator({
      now: () => clock.now(),
      demo: false,
      oauthClients: [{ clientId: 'sp', clientSecret: 'sp-secret', expiresInSeconds: 3600 }],
    });
    http = new KeepAliveHttpClient(HTTP);
  });
  afterEach(() => genie.reset());
  after(async () => {
    http.destroy();
    await genie.close();
  });

  it('asks, waits, and reads the LAST query attachment with its typed table', async () => {
    genie.script('Top regions?', {
      steps: [
        { status: 'SUBMITTED', afterMs: 0 },
        { status: 'ASKING_AI', afterMs: 1_000 },
        { status: 'EXECUTING_QUERY', afterMs: 3_000 },
        { status: 'COMPLETED', afterMs: 5_000 },
      ],
      queries: [
        { title: 'First attempt', sql: 'SELECT 1', result: { columns: [{ name: 'x', type_name: 'INT' }], rows: [['1']] } },
        {
          title: 'Revenue by region',
          sql: 'SELECT region, SUM(revenue) FROM sales GROUP BY 1',
          result: {
            columns: [
              { name: 'region', type_name: 'STRING' },
              { name: 'revenue', type_name: 'DECIMAL', type_text: 'DECIMAL(38,2)', type_scale: 2 },
            ],
            rows: [
              ['EMEA', '1250000.00'],
              ['APAC', '9.805005E5'],
              ['AMER', null],
            ],
          },
        },
      ],
      text: 'EMEA led.',
      suggestedQuestions: ['Compare with last month'],
    });
    const asked: string[] = [];
    const result = await askGenie(client(), {
      question: 'Top regions?',
      clock,
      random: () => 0.5,
      onAsked: (ref) => Promise.resolve(void asked.push(ref.messageId)),
    });
    const { answer } = result;
    assert.equal(answer.query?.title, 'Revenue by region');
    assert.equal(answer.text, 'EMEA led.');
    assert.deepEqual(answer.suggestedQuestions, ['Compare with last month']);
    assert.deepEqual(answer.table?.rows, [
      ['EMEA', '1250000.00'],
      ['APAC', '980500.5'],
      ['AMER', null],
    ]);
    assert.equal(result.newConversation, true);
    assert.deepEqual(asked, [answer.ref.messageId], 'ids recorded before waiting');
    const message = genie.messages()[0]!;
    const lag = result.waitedMs - (message.finalAt - message.createdAt);
    assert.ok(lag >= 0 && lag <= 700, `noticed ${lag} ms after completion`);
  });

  it('continues the same conversation for a follow-up and starts afresh when it was deleted', async () => {
    const genieClient = client();
    const first = await askGenie(genieClient, { question: 'one', clock });
    const second = await askGenie(genieClient, { question: 'two', conversationId: first.answer.ref.conversationId, clock });
    assert.equal(second.answer.ref.conversationId, first.answer.ref.conversationId);
    assert.equal(second.newConversation, false);
    await genieClient.deleteConversation(first.answer.ref.conversationId);
    const third = await askGenie(genieClient, { question: 'three', conversationId: first.answer.ref.conversationId, clock });
    assert.equal(third.newConversation, true);
    assert.notEqual(third.answer.ref.conversationId, first.answer.ref.conversationId);
    assert.deepEqual(genie.stats().conversationsDeleted, [first.answer.ref.conversationId]);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
    genie.fault({ endpoint: 'get-space', status: 429, retryAfter: '7' });
    // A date 20 s ahead, read after the 7 s wait: about 13 s left (whole seconds, as HTTP dates go).
    genie.fault({ endpoint: 'get-space', status: 429, retryAfter: new Date(clock.now() + 20_000).toUTCString() });
    const sleepsBefore = clock.sleeps.length;
    const space = await client().getSpace();
    assert.equal(space.space_id, genie.spaceId);
    const waits = clock.sleeps.slice(sleepsBefore);
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 7_000 && waits[0]! < 7_250, `waited ${waits[0]} ms for Retry-After: 7`);
    assert.ok(waits[1]! >= 12_000 && waits[1]! < 13_250, `waited ${waits[1]} ms for a date 13 s ahead`);
    assert.equal(genie.stats().requests['get-space'], 3);
  });

  it('backs off on 5xx and gives up after the policy limit', async () => {
    genie.fault({ endpoint: 'get-space', status: 503, times: 50 });
    const retries: string[] = [];
    await assert.rejects(client({ observer: { onRetry: (e) => retries.push(e.reason) } }).getSpace(), (error: unknown) => {
      assert.ok(error instanceof GenieHttpError);
      assert.equal(error.status, 503);
      assert.equal(error.errorCode, 'TEMPORARILY_UNAVAILABLE');
      return true;
    });
    assert.equal(genie.stats().requests['get-space'], 5, 'one attempt plus four retries');
    assert.deepEqual(retries, ['status_503', 'status_503', 'status_503', 'status_503']);
  });

  it('retries a question POST rejected with 503, and never repeats one that may have been accepted', async () => {
    genie.fault({ endpoint: 'start-conversation', status: 503 });
    await client().startConversation('rejected first');
    assert.equal(genie.stats().requests['start-conversation'], 2);
    assert.equal(genie.stats().conversationsCreated, 1);

    genie.reset();
    const impatient = new KeepAliveHttpClient({ ...HTTP, readTimeoutMs: 200, totalTimeoutMs: 300 });
    genie.fault({ endpoint: 'start-conversation', stallMs: 1_000, afterProcessing: true });
    await assert.rejects(client({ http: impatient }).startConversation('lost answer'), (error: unknown) => {
      assert.ok(error instanceof GenieUncertainError);
      assert.match(messagesFor('en-US').text(userMessageKey(error)), /ask it again/);
      return true;
    });
    assert.equal(genie.stats().requests['start-conversation'], 1, 'not sent twice');
    assert.equal(genie.stats().conversationsCreated, 1, 'Genie did create it: a retry would have made two');
    impatient.destroy();
  });

  it('fetches an OAuth M2M token once for 50 concurrent calls, and again after a 401', async () => {
    const tokens = databricksOAuthTokenSource(genie.url, 'sp', 'sp-secret', http, clock);
    const genieClient = client({ tokens });
    await Promise.all(Array.from({ length: 50 }, () => genieClient.getSpace()));
    assert.equal(genie.stats().tokensIssued, 1);
    assert.equal(genie.stats().requests['get-space'], 50);
    genie.fault({ endpoint: 'get-space', status: 401 });
    await genieClient.getSpace();
    assert.equal(genie.stats().tokensIssued, 2, 'a 401 fetched a fresh token once');
    const wrong = databricksOAuthTokenSource(genie.url, 'sp', 'not-the-secret', http, clock);
    await assert.rejects(client({ tokens: wrong }).getSpace(), /DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET/);
  });

  it('answers 401 with a typed auth error when the token is wrong', async () => {
    await assert.rejects(client({ tokens: patTokenSource('wrong') }).getSpace(), (error: unknown) => {
      assert.ok(error instanceof GenieHttpError);
      assert.equal(error.status, 401);
      assert.equal(error.reason, 'auth');
      return true;
    });
  });

  it('sends feedback in the documented body shape, for the exact message', async () => {
    const genieClient = client();
    const { answer } = await askGenie(genieClient, { question: 'rate me', clock });
    await genieClient.sendFeedback(answer.ref, 'POSITIVE');
    await genieClient.sendFeedback(answer.ref, 'NEGATIVE', 'wrong year');
    const recorded = genie.feedback().map((f) => [f.conversationId, f.messageId, f.rating, f.comment]);
    assert.deepEqual(recorded, [
      [answer.ref.conversationId, answer.ref.messageId, 'POSITIVE', undefined],
      [answer.ref.conversationId, answer.ref.messageId, 'NEGATIVE', 'wrong year'],
    ]);
  });

  it('re-runs the query once when the result expired', async () => {
    genie.script('old news', {
      steps: [
        { status: 'EXECUTING_QUERY', afterMs: 0 },
        { status: 'QUERY_RESULT_EXPIRED', afterMs: 2_000 },
      ],
      queries: [{ title: 't', sql: 'SELECT 1', result: { columns: [{ name: 'n', type_name: 'LONG' }], rows: [['42']] } }],
    });
    const { answer } = await askGenie(client(), { question: 'old news', clock });
    assert.deepEqual(answer.table?.rows, [[42]]);
    assert.equal(genie.messages()[0]?.executeQueryCalls, 1);
  });

  it('turns a FAILED message into a typed error with plain words for the user', async () => {
    genie.script('bad sql', { error: { type: 'SQL_EXECUTION_EXCEPTION', message: 'Table sales.secret_stuff not found at 10.0.0.4' } });
    await assert.rejects(askGenie(client(), { question: 'bad sql', clock }), (error: unknown) => {
      assert.ok(error instanceof GenieAnswerError);
      assert.equal(error.type, 'SQL_EXECUTION_EXCEPTION');
      const words = messagesFor('en-US').text(userMessageKey(error));
      assert.match(words, /rephras/);
      assert.ok(!words.includes('secret_stuff') && !words.includes('10.0.0.4'), 'no internal detail for users');
      return true;
    });
  });

  it('reads a clarifying question', async () => {
    genie.script('best customer?', { clarification: 'By revenue or by number of orders?' });
    const { answer } = await askGenie(client(), { question: 'best customer?', clock });
    assert.equal(answer.clarification, 'By revenue or by number of orders?');
    assert.equal(answer.table, undefined);
  });

  it('decodes a gzip-encoded 5,000-row result, cut by Genie, in far fewer bytes than its JSON', async () => {
    genie.script('everything', { queries: [{ title: 'all', sql: 'SELECT *', result: { generate: { rows: 6_500, columns: 12 } } }] });
    const genieClient = client();
    const { answer } = await askGenie(genieClient, { question: 'everything', clock });
    assert.equal(answer.table?.rows.length, 5_000);
    assert.equal(answer.table?.truncated, true);
    assert.equal(answer.table?.totalRowCount, 6_500);
    genie.reset();
    genie.script('everything', { queries: [{ title: 'all', sql: 'SELECT *', result: { generate: { rows: 6_500, columns: 12 } } }] });
    const ref = (await askGenie(genieClient, { question: 'everything', clock })).answer.ref;
    const before = genie.stats().bytesSent;
    const statement = await genieClient.getQueryResult(
      ref,
      (await genieClient.getMessage(ref)).attachments!.find((a) => a.query)!.attachment_id!,
    );
    const wire = genie.stats().bytesSent - before;
    const json = JSON.stringify({ statement_response: statement }).length;
    assert.ok(wire < json / 3, `${wire} bytes on the wire for ${json} bytes of JSON`);
  });

  it('polls a typical 20-second answer with a bounded number of GETs', async () => {
    genie.script('twenty seconds', {
      steps: [
        { status: 'SUBMITTED', afterMs: 0 },
        { status: 'FETCHING_METADATA', afterMs: 1_000 },
        { status: 'ASKING_AI', afterMs: 3_000 },
        { status: 'PENDING_WAREHOUSE', afterMs: 9_000 },
        { status: 'EXECUTING_QUERY', afterMs: 14_000 },
        { status: 'COMPLETED', afterMs: 20_000 },
      ],
      queries: [{ title: 't', sql: 'SELECT 1', result: { columns: [{ name: 'n', type_name: 'INT' }], rows: [['1']] } }],
      text: 'done',
    });
    const result = await askGenie(client(), { question: 'twenty seconds', clock, random: () => 0.5 });
    const stats = genie.stats();
    const requests = Object.entries(stats.requests).filter(([, n]) => n > 0);
    console.log(`20 s answer: ${JSON.stringify(Object.fromEntries(requests))}, waited ${result.waitedMs} ms`);
    // The Python SDK's schedule makes 7 GETs for a 20 s answer; the issue allows up to 3x that.
    assert.ok(result.polls <= 21, `${result.polls} GETs`);
    assert.ok(result.waitedMs - 20_000 <= 1_000, `answer seen ${result.waitedMs - 20_000} ms late`);
    assert.equal(stats.requests['start-conversation'], 1);
    assert.equal(stats.requests['query-result'], 1);
  });
});
