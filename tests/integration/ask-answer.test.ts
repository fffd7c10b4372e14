import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import type { FakeConnector } from '../../dev/fake-connector';
import { userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import type { DevHost } from '../../dev/host';
import { type BotHarness, startBotHarness } from '../helpers/harness';

interface CardJson {
  body: Record<string, unknown>[];
}

function cardOf(activity: Record<string, unknown>): CardJson | undefined {
  const attachments = activity.attachments as { contentType: string; content: CardJson }[] | undefined;
  return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
}

function tableCells(card: CardJson | undefined): string[][] {
  const table = card?.body.find((e) => e.type === 'Table') as { rows: { cells: { items: { text: string }[] }[] }[] } | undefined;
  return (table?.rows ?? []).map((row) => row.cells.map((cell) => cell.items[0]?.text ?? ''));
}

const REGIONS = {
  steps: [
    { status: 'SUBMITTED', afterMs: 0 },
    { status: 'EXECUTING_QUERY', afterMs: 50 },
    { status: 'COMPLETED', afterMs: 150 },
  ],
  queries: [
    { title: 'Draft', sql: 'SELECT 1', result: { columns: [{ name: 'wrong', type_name: 'STRING' }], rows: [['not this']] } },
    {
      title: 'Revenue by region',
      sql: 'SELECT region, revenue FROM sales',
      result: {
        columns: [
          { name: 'region', type_name: 'STRING' },
          { name: 'revenue', type_name: 'DECIMAL', type_text: 'DECIMAL(18,2)', type_scale: 2 },
        ],
        rows: [
          ['EMEA', '1250000.00'],
          ['APAC', '980500.50'],
        ],
      },
    },
  ],
  text: 'EMEA leads.',
  suggestedQuestions: ['Break EMEA down by product'],
};

describe('ask and answer over HTTP (dev host, Genie emulator, fake connector)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  const post = (activity: Record<string, unknown>) => harness.post(activity);

  before(async () => {
    harness = await startBotHarness();
    ({ genie, connector, host } = harness);
  });
  afterEach(() => genie.reset());
  after(() => harness.close());

  it('acknowledges at once, then answers with the LAST query attachment’s values', async () => {
    genie.script('Top regions?', REGIONS);
    const conversationId = 'a:chat-last-query';
    const response = await post(userMessage(connector.url, 'Top regions?', { conversationId }));
    assert.equal(response.status, 200);
    await connector.waitFor(() => connector.messages(conversationId).some((m) => cardOf(m.activity)));
    const card = cardOf(connector.messages(conversationId)[0]!.activity);
    assert.deepEqual(tableCells(card), [
      ['region', 'revenue'],
      ['EMEA', '1,250,000.00'],
      ['APAC', '980,500.50'],
    ]);
    assert.ok(JSON.stringify(card).includes('EMEA leads.'));
    assert.ok(!JSON.stringify(card).includes('not this'), 'the draft query is not shown');
    assert.ok(
      connector.received.some((r) => r.conversationId === conversationId && r.activity.type === 'typing'),
      'a typing indicator was sent',
    );
  });

  it('continues the same Genie conversation for a follow-up, and starts another after "new"', async () => {
    const conversationId = 'a:chat-follow-up';
    const answered = (n: number) =>
      connector.waitFor(() => connector.messages(conversationId).filter((m) => cardOf(m.activity)).length >= n);
    await post(userMessage(connector.url, 'first question', { conversationId }));
    await answered(1);
    await post(userMessage(connector.url, 'a follow-up', { conversationId }));
    await answered(2);
    const [first, second] = genie.messages();
    assert.equal(second?.conversationId, first?.conversationId, 'the follow-up continued the conversation');

    await post(userMessage(connector.url, 'new', { conversationId }));
    await connector.waitFor(() => connector.messages(conversationId).some((m) => /new conversation/i.test(String(m.activity.text))));
    await post(userMessage(connector.url, 'after reset', { conversationId }));
    await answered(3);
    assert.notEqual(genie.messages()[2]?.conversationId, first?.conversationId, '"new" started another conversation');
    assert.equal(genie.stats().conversationsCreated, 2);
  });

  it('keeps chats apart: another chat gets its own Genie conversation', async () => {
    await post(userMessage(connector.url, 'one', { conversationId: 'a:chat-x' }));
    await post(userMessage(connector.url, 'two', { conversationId: 'a:chat-y' }));
    await connector.waitFor(() => ['a:chat-x', 'a:chat-y'].every((c) => connector.messages(c).some((m) => cardOf(m.activity))));
    const [x, y] = genie.messages();
    assert.notEqual(x?.conversationId, y?.conversationId);
  });

  it('takes an activity delivered 4 times (as Teams redelivers) exactly once', async () => {
    genie.script('slow one', {
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 400 },
      ],
      text: 'done',
    });
    const conversationId = 'a:chat-redelivery';
    const activity = userMessage(connector.url, 'slow one', { conversationId, id: 'teams-activity-42' });
    const statuses = await Promise.all([1, 2, 3, 4].map(async () => (await post(activity)).status));
    assert.deepEqual(statuses, [200, 200, 200, 200], 'every delivery is acknowledged');
    await connector.waitFor(() => connector.messages(conversationId).some((m) => JSON.stringify(m.activity).includes('done')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(genie.stats().requests['start-conversation'], 1, 'one Genie question');
    assert.equal(connector.messages(conversationId).length, 1, 'one answer');
  });

  it('shows a clarifying question as Genie’s question, and a FAILED answer in plain words', async () => {
    genie.script('best customer?', { clarification: 'By revenue or by number of orders?' });
    genie.script('broken', { error: { type: 'SQL_EXECUTION_EXCEPTION', message: 'Column x not found in sales.private_table' } });
    await post(userMessage(connector.url, 'best customer?', { conversationId: 'a:chat-clarify' }));
    await post(userMessage(connector.url, 'broken', { conversationId: 'a:chat-failed' }));
    await connector.waitFor(() => connector.messages('a:chat-clarify').length > 0 && connector.messages('a:chat-failed').length > 0);
    const clarify = JSON.stringify(connector.messages('a:chat-clarify')[0]?.activity);
    assert.match(clarify, /Genie needs a bit more detail/);
    assert.match(clarify, /By revenue or by number of orders\?/);
    const failed = String(connector.messages('a:chat-failed')[0]?.activity.text);
    assert.match(failed, /rephras/);
    assert.ok(!failed.includes('private_table') && !/Error|stack|at /.test(failed), `plain words only: ${failed}`);
  });

  it('answers help and welcome at once, without asking Genie', async () => {
    await post(userMessage(connector.url, 'help', { conversationId: 'a:chat-help' }));
    await post({
      type: 'conversationUpdate',
      id: 'update-1',
      channelId: 'msteams',
      serviceUrl: connector.url,
      recipient: { id: '28:bot' },
      from: { id: '29:user-1' },
      conversation: { id: 'a:chat-welcome', conversationType: 'personal' },
      membersAdded: [{ id: '28:bot' }],
    });
    await connector.waitFor(() => connector.messages('a:chat-help').length > 0 && connector.messages('a:chat-welcome').length > 0);
    assert.match(JSON.stringify(connector.messages('a:chat-help')[0]?.activity), /Databricks Genie/);
    assert.match(JSON.stringify(connector.messages('a:chat-welcome')[0]?.activity), /Hi!/);
    assert.equal(genie.stats().requests['start-conversation'], 0);
  });

  it('answers an @mention in a channel thread in that thread', async () => {
    const thread = '19:general@thread.tacv2;messageid=1700000000001';
    await post(userMessage(connector.url, 'channel question', { conversationId: thread, conversationType: 'channel', mentionBot: true }));
    await connector.waitFor(() => connector.messages(thread).some((m) => cardOf(m.activity)));
    assert.equal(genie.messages()[0]?.content, 'channel question', 'the mention was stripped');
  });

  it('gives every bad request a 4xx with a reason, and never a 5xx', async () => {
    const raw = (body: string, method = 'POST') =>
      fetch(`${host.url}/api/messages`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        ...(method === 'POST' ? { body } : {}),
      });
    const cases: [Promise<Response>, number, RegExp][] = [
      [raw('{not json'), 400, /not valid JSON/],
      [raw('[1,2,3]'), 400, /not a Bot Framework activity/],
      [raw('"hello"'), 400, /not a Bot Framework activity/],
      [raw(JSON.stringify({ text: 'no type' })), 400, /no type/],
      [raw(JSON.stringify({ type: 'message', text: 'x', serviceUrl: connector.url })), 400, /conversation/],
      [raw(JSON.stringify({ type: 'message', conversation: { id: 'c' } })), 400, /serviceUrl/],
      [raw(JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) })), 413, /larger than 256 KB/],
      [raw('', 'GET'), 405, /POST only/],
    ];
    for (const [pending, status, reason] of cases) {
      const response = await pending;
      assert.equal(response.status, status);
      assert.match(await response.text(), reason);
    }
    assert.equal(genie.stats().requests['start-conversation'], 0);
  });
});
