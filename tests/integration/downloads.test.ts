import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { messagesFor } from '../../shared/i18n';
import { type BotHarness, startBotHarness } from '../helpers/harness';

type Json = Record<string, unknown>;

/** Every object in a JSON tree, depth first. */
function* objectsIn(node: unknown): Generator<Json> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield node as Json;
  for (const child of Object.values(node)) yield* objectsIn(child);
}

const downloadButtonOf = (activity: Json): Json | undefined =>
  [...objectsIn(activity.attachments)].find((o) => o.type === 'Action.Execute' && o.verb === 'genie.download');

const result = (rows: number) => ({ generate: { rows, columns: 3 } });

describe('"Download all N rows": the whole result through Genie’s downloads API (over real HTTP)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  const en = messagesFor('en-US');

  before(async () => {
    harness = await startBotHarness();
    ({ genie, connector } = harness);
    // Pending for 2.5 s: the bot's first look (about 1 s in) finds it still being prepared.
    genie.script('all the orders', { queries: [{ title: 'Orders', sql: 'SELECT *', result: result(60), download: { pendingMs: 2_500 } }] });
    genie.script('a few orders', { queries: [{ title: 'Few', sql: 'SELECT *', result: result(3) }] });
    genie.script('beyond five thousand', {
      queries: [{ title: 'Many', sql: 'SELECT *', result: result(5_200), download: { pendingMs: 0 } }],
    });
    genie.script('download fails', {
      queries: [
        { title: 'F', sql: 'SELECT *', result: result(40), download: { pendingMs: 0, error: { type: 'INTERNAL_ERROR', message: 'x' } } },
      ],
    });
  });
  after(() => harness.close());

  async function answerIn(conversationId: string, question: string, options: Parameters<typeof userMessage>[2] = {}): Promise<Json> {
    const answers = () => connector.messages(conversationId).filter((m) => Array.isArray(m.activity.attachments));
    const before = answers().length;
    assert.equal((await harness.post(userMessage(connector.url, question, { conversationId, ...options }))).status, 200);
    await connector.waitFor(() => answers().length > before);
    return answers().at(-1)!.activity;
  }

  function click(conversationId: string, button: Json, options: Parameters<typeof userMessage>[2] = {}): Promise<Response> {
    return harness.post({
      ...userMessage(connector.url, '', { conversationId, ...options }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: button.verb, data: button.data } },
    });
  }

  /** Clicks and waits until the "preparing" line it posts has been replaced; returns what the chat then shows. */
  async function clickAndWait(
    conversationId: string,
    button: Json,
    options: Parameters<typeof userMessage>[2] = {},
  ): Promise<{ id: string; activity: Json; updates: number }> {
    const earlier = new Set(connector.messages(conversationId).map((m) => m.id));
    const response = await click(conversationId, button, options);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { statusCode: number; value: string };
    assert.equal(body.value, en.text('download.started'), 'the click is answered at once, in plain words');
    const posted = () => connector.messages(conversationId).find((m) => !earlier.has(m.id));
    await connector.waitFor(() => (posted()?.updates ?? 0) > 0, 15_000);
    const shown = posted()!;
    assert.equal(connector.messages(conversationId).length, earlier.size + 1, 'one message: the "preparing" line, replaced');
    return shown;
  }

  it('offers the button only when the card shows fewer rows than the result has', async () => {
    const big = await answerIn('a:dl-offer', 'all the orders');
    assert.equal(downloadButtonOf(big)?.title, 'Download all 60 rows');
    const small = await answerIn('a:dl-offer', 'a few orders');
    assert.equal(downloadButtonOf(small), undefined);
  });

  it('joins a second press while the file is on its way (Genie asked once); a press after it has ended asks again', async () => {
    const answer = await answerIn('a:dl-twice', 'all the orders');
    const button = downloadButtonOf(answer)!;
    const generated = () => genie.stats().requests['generate-download'];
    const before = generated();
    const [first, second] = await Promise.all([click('a:dl-twice', button), click('a:dl-twice', button)]);
    assert.deepEqual([first.status, second.status], [200, 200]);
    await connector.waitFor(
      () => connector.messages('a:dl-twice').some((m) => m.updates > 0 && /ready/.test(JSON.stringify(m.activity))),
      15_000,
    );
    assert.equal(generated() - before, 1, 'one download for two presses');
    await clickAndWait('a:dl-twice', button);
    assert.equal(generated() - before, 2, 'the key was given back once the file was ready');
  });

  it('waits out the pending download, then replaces the "preparing" line with a link that serves every row without a token', async () => {
    const answer = await answerIn('a:dl-link', 'all the orders');
    const polls = genie.stats().requests['get-download'];
    const shown = await clickAndWait('a:dl-link', downloadButtonOf(answer)!);
    assert.ok(genie.stats().requests['get-download'] - polls >= 2, 'looked while it was still pending, then again');

    const links = [...objectsIn(shown.activity.attachments)].filter((o) => o.type === 'Action.OpenUrl');
    assert.equal(links.length, 1);
    const url = String(links[0]!.url);
    assert.ok(url.startsWith(`${genie.filesUrl}/`), 'the link is Genie’s presigned link, on its own origin');
    assert.match(JSON.stringify(shown.activity.attachments), /All 60 rows of this answer are ready \(CSV\)/);
    assert.match(JSON.stringify(shown.activity.attachments), /works for about 14 minutes|works for about 15 minutes/);

    const file = await fetch(url);
    assert.equal(file.status, 200);
    const lines = (await file.text()).split('\r\n').filter(Boolean);
    assert.equal(lines.length, 61, 'a header and every row');
    const withToken = await fetch(url, { headers: { Authorization: `Bearer ${genie.token}` } });
    assert.equal(withToken.status, 400, 'a presigned link refuses a request that also carries a token');
  });

  it('serves past the 5,000 rows a query result holds (Genie truncated the answer)', async () => {
    const answer = await answerIn('a:dl-many', 'beyond five thousand');
    assert.equal(downloadButtonOf(answer)?.title, 'Download all 5,200 rows');
    const shown = await clickAndWait('a:dl-many', downloadButtonOf(answer)!);
    const url = String([...objectsIn(shown.activity.attachments)].find((o) => o.type === 'Action.OpenUrl')?.url);
    const lines = (await (await fetch(url)).text()).split('\r\n').filter(Boolean);
    assert.equal(lines.length, 5_201);
  });

  it('tells the person plainly when Genie fails the download', async () => {
    const answer = await answerIn('a:dl-fail', 'download fails');
    const shown = await clickAndWait('a:dl-fail', downloadButtonOf(answer)!);
    assert.equal(shown.activity.text, en.text('download.failed'));
    assert.equal(shown.activity.attachments, undefined);
  });

  it('in a group chat, gives the link to the chat the answer is in, where anyone could have pressed the button', async () => {
    const group = { conversationType: 'groupChat', mentionBot: true } as const;
    const answer = await answerIn('19:dl-group@thread.v2', 'all the orders', group);
    const shown = await clickAndWait('19:dl-group@thread.v2', downloadButtonOf(answer)!, {
      conversationType: 'groupChat',
      userId: '29:user-2',
    });
    assert.ok([...objectsIn(shown.activity.attachments)].some((o) => o.type === 'Action.OpenUrl'));
  });

  it('refuses the button from another chat with a 403, and asks Genie nothing', async () => {
    const answer = await answerIn('a:dl-owner', 'all the orders');
    const before = genie.stats().requests;
    const sentBefore = connector.messages('a:dl-elsewhere').length;
    const response = await click('a:dl-elsewhere', downloadButtonOf(answer)!);
    assert.equal(response.status, 403);
    const after = genie.stats().requests;
    assert.deepEqual(
      [after['get-message'], after['generate-download'], after['get-download']],
      [before['get-message'], before['generate-download'], before['get-download']],
    );
    assert.equal(connector.messages('a:dl-elsewhere').length, sentBefore);
  });
});
