import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import {
  askGenie,
  DEFAULT_DOWNLOAD_SCHEDULE,
  downloadFullResult,
  GenieClient,
  GenieDownloadError,
  GenieHttpError,
  GenieWaitTimeoutError,
  isSafeDownloadUrl,
  patTokenSource,
  readDownload,
} from '../../../shared/genie';
import { startLoopbackServer } from '../../helpers/servers';
import { emulatedClient, useEmulatedGenie } from '../bot/fixtures';

describe('readDownload: one look at a full-result download', () => {
  const link = (chunk: number, url = `https://storage.example/r/${chunk}.csv?sig=x`) => ({
    chunk_index: chunk,
    row_offset: chunk * 10,
    row_count: 10,
    external_link: url,
    expiration: '2026-06-15T12:15:00.000Z',
  });

  it('keeps waiting while PENDING, RUNNING, absent or a state it does not know', () => {
    for (const state of ['PENDING', 'RUNNING', 'SOMETHING_NEW']) {
      assert.deepEqual(readDownload({ status: { state } }), { kind: 'pending', state });
    }
    assert.deepEqual(readDownload({}), { kind: 'pending', state: 'PENDING' });
  });

  it('reads the links in chunk order with their expiry, the format and the row count', () => {
    const ready = readDownload({
      status: { state: 'SUCCEEDED' },
      manifest: { format: 'CSV', total_row_count: 20 },
      result: { external_links: [link(1), link(0)] },
    });
    assert.deepEqual(ready, {
      kind: 'ready',
      format: 'CSV',
      totalRowCount: 20,
      links: [0, 1].map((chunk) => ({
        url: `https://storage.example/r/${chunk}.csv?sig=x`,
        chunkIndex: chunk,
        rowCount: 10,
        expiresAt: Date.parse('2026-06-15T12:15:00.000Z'),
      })),
    });
  });

  it('fails FAILED, CANCELED and CLOSED downloads with the error code only', () => {
    const failed = () =>
      readDownload({ status: { state: 'FAILED', error: { error_code: 'SQL_EXECUTION_EXCEPTION', message: 'table sales.secret' } } });
    assert.throws(failed, (error: unknown) => {
      assert.ok(error instanceof GenieDownloadError);
      assert.equal(error.errorCode, 'SQL_EXECUTION_EXCEPTION');
      assert.doesNotMatch(error.message, /sales\.secret/);
      return true;
    });
    for (const state of ['CANCELED', 'CLOSED']) assert.throws(() => readDownload({ status: { state } }), GenieDownloadError);
  });

  it('refuses a SUCCEEDED download without links, or with any link that is not https or loopback', () => {
    assert.throws(() => readDownload({ status: { state: 'SUCCEEDED' }, result: {} }), GenieDownloadError);
    for (const bad of [
      'javascript:alert(1)',
      'http://storage.example/r.csv',
      'data:text/csv,a',
      'https://user:pw@storage.example/x',
      'not a url',
    ]) {
      assert.throws(
        () => readDownload({ status: { state: 'SUCCEEDED' }, result: { external_links: [link(0), link(1, bad)] } }),
        GenieDownloadError,
        bad,
      );
    }
  });

  it('takes https anywhere and plain http only on loopback', () => {
    assert.ok(isSafeDownloadUrl('https://dbstorage.blob.core.windows.net/x?sig=1'));
    assert.ok(isSafeDownloadUrl('http://127.0.0.1:4000/downloads/a/chunk-0.csv'));
    assert.ok(isSafeDownloadUrl('http://localhost:4000/x'));
    assert.ok(!isSafeDownloadUrl('http://10.0.0.1/x'));
    assert.ok(!isSafeDownloadUrl('ftp://127.0.0.1/x'));
  });
});

describe('downloadFullResult against the emulator (generate, poll, external links)', () => {
  const emulated = useEmulatedGenie({ downloadChunkRows: 4_000 });
  const client = () => emulatedClient(emulated);

  async function answered(question: string) {
    const { answer } = await askGenie(client(), { question, clock: emulated.clock, random: () => 0.5 });
    assert.ok(answer.query);
    return { ref: answer.ref, attachmentId: answer.query.attachmentId, table: answer.table };
  }

  afterEach(() => emulated.genie.reset());

  it('waits out PENDING and RUNNING, then returns presigned links that serve every row, past the 5,000 of a query result', async () => {
    emulated.genie.script('everything', {
      queries: [{ title: 'All', sql: 'SELECT *', result: { generate: { rows: 7_000, columns: 3 } }, download: { pendingMs: 5_000 } }],
    });
    const { ref, attachmentId, table } = await answered('everything');
    assert.equal(table?.rows.length, 5_000);
    assert.equal(table?.truncated, true);

    const looked: string[] = [];
    const observed = client();
    const ready = await downloadFullResult(
      {
        generateDownload: (r, a) => observed.generateDownload(r, a),
        getDownload: async (r, a, t) => {
          const statement = await observed.getDownload(r, a, t);
          looked.push(statement.status?.state ?? '?');
          return statement;
        },
      },
      ref,
      attachmentId,
      { clock: emulated.clock, random: () => 0.5 },
    );
    assert.deepEqual(looked, ['PENDING', 'RUNNING', 'SUCCEEDED'], 'looks at 1 s, 3 s and 6 s of a 5 s preparation (RUNNING from 2.5 s)');
    assert.equal(ready.format, 'CSV');
    assert.equal(ready.totalRowCount, 7_000);
    assert.deepEqual(
      ready.links.map((l) => [l.chunkIndex, l.rowCount, l.expiresAt]),
      [
        [0, 4_000, emulated.clock.now() + 15 * 60_000],
        [1, 3_000, emulated.clock.now() + 15 * 60_000],
      ],
    );
    assert.ok(
      ready.links.every((l) => l.url.startsWith(`${emulated.genie.filesUrl}/`)),
      'files come from a separate origin',
    );

    const files = await Promise.all(ready.links.map(async (l) => (await fetch(l.url)).text()));
    const lines = files.flatMap((file) => file.split('\r\n').filter(Boolean).slice(1));
    assert.equal(lines.length, 7_000);
    assert.equal(lines[0]?.split(',')[0], 'alpha-0');
    assert.equal(
      lines[6_999]?.split(',')[0],
      `${['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliett', 'kilo', 'lima'][6_999 % 12]}-6999`,
    );
  });

  it('a presigned link refuses a request with an Authorization header, a forged signature and, once expired, everyone', async () => {
    emulated.genie.script('small', {
      queries: [{ title: 'Small', sql: 'SELECT 1', result: { columns: [{ name: 'n', type_name: 'INT' }], rows: [['1']] } }],
    });
    const { ref, attachmentId } = await answered('small');
    const [link] = (await downloadFullResult(client(), ref, attachmentId, { clock: emulated.clock, random: () => 0.5 })).links;
    assert.ok(link);
    const withToken = await fetch(link.url, { headers: { Authorization: `Bearer ${emulated.genie.token}` } });
    assert.equal(withToken.status, 400);
    assert.match(await withToken.text(), /Only one auth mechanism allowed/);
    assert.equal((await fetch(link.url.replace(/signature=[0-9a-f]/, 'signature=z'))).status, 403);
    const plain = await fetch(link.url);
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), 'n\r\n1\r\n');
    emulated.clock.advance(15 * 60_000 + 1);
    const late = await fetch(link.url);
    assert.equal(late.status, 403);
    assert.match(await late.text(), /Request has expired/);
    assert.deepEqual(emulated.genie.stats().downloadFiles, { served: 1, refused: 3 });
  });

  it('a download Genie fails is a GenieDownloadError; one still pending past the budget a GenieWaitTimeoutError', async () => {
    const result = { columns: [{ name: 'n', type_name: 'INT' }], rows: [['1']] };
    emulated.genie.script('fails', {
      queries: [{ title: 'F', sql: 'SELECT 1', result, download: { error: { type: 'INTERNAL_ERROR', message: 'disk full' } } }],
    });
    emulated.genie.script('slow', { queries: [{ title: 'S', sql: 'SELECT 1', result, download: { pendingMs: 10 * 60_000 } }] });
    const failing = await answered('fails');
    await assert.rejects(
      downloadFullResult(client(), failing.ref, failing.attachmentId, { clock: emulated.clock, random: () => 0.5 }),
      (error: unknown) => {
        assert.ok(error instanceof GenieDownloadError);
        assert.deepEqual([error.state, error.errorCode, error.reason], ['FAILED', 'INTERNAL_ERROR', 'genie_failed']);
        return true;
      },
    );
    const slow = await answered('slow');
    const started = emulated.clock.now();
    await assert.rejects(
      downloadFullResult(client(), slow.ref, slow.attachmentId, { clock: emulated.clock, random: () => 0.5 }),
      (error: unknown) => error instanceof GenieWaitTimeoutError && error.reason === 'timeout',
    );
    assert.equal(emulated.clock.now() - started, DEFAULT_DOWNLOAD_SCHEDULE.budgetMs, 'the last look lands on the deadline');
  });

  it('the client sends the signature back, and Genie refuses a download asked with a wrong one', async () => {
    emulated.genie.script('small', {
      queries: [{ title: 'Small', sql: 'SELECT 1', result: { columns: [{ name: 'n', type_name: 'INT' }], rows: [['1']] } }],
    });
    const { ref, attachmentId } = await answered('small');
    const ticket = await client().generateDownload(ref, attachmentId);
    assert.match(ticket.downloadId, /^[0-9a-f]{32}$/);
    await assert.rejects(client().getDownload(ref, attachmentId, { ...ticket, signature: 'forged' }), (error: unknown) => {
      return error instanceof GenieHttpError && error.status === 403 && error.endpoint === 'get-download';
    });
    assert.equal((await client().getDownload(ref, attachmentId, ticket)).status?.state, 'PENDING');
  });

  it('a generate answer without download_id or signature is a malformed response', async () => {
    const workspace = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ download_id: 'abc' }));
    });
    try {
      const bare = new GenieClient({
        host: workspace.url,
        spaceId: 's',
        http: emulated.http,
        tokens: patTokenSource('t'),
        clock: emulated.clock,
      });
      await assert.rejects(bare.generateDownload({ spaceId: 's', conversationId: 'c', messageId: 'm' }, 'a'), (error: unknown) => {
        return error instanceof GenieHttpError && error.errorCode === 'MALFORMED_RESPONSE' && error.endpoint === 'generate-download';
      });
    } finally {
      await workspace.close();
    }
  });
});
