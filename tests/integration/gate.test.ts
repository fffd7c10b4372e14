/**
 * The policy gate over real HTTP: the dev host, the Genie emulator, a recording connector and a fake
 * Microsoft Graph, all on loopback. Every refusal costs Genie nothing and sends nothing but the
 * polite line (or nothing at all, with a 403).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { useBotAppOverrides } from '../../shared/app';
import { messagesFor } from '../../shared/i18n';
import { type BotHarness, startBotHarness, UNBUNDLED_APP } from '../helpers/harness';
import { delay, type LoopbackServer, startLoopbackServer } from '../helpers/servers';

const EN = messagesFor('en-US');

const TENANT = '0b6f1c43-0000-4000-8000-00000000aaaa';
const ALLOWED_USER = '0b6f1c43-0000-4000-8000-000000000001';
const RATE_USER = '0b6f1c43-0000-4000-8000-000000000002';
const GROUP_MEMBER = '0b6f1c43-0000-4000-8000-000000000003';
const OUTSIDER = '0b6f1c43-0000-4000-8000-000000000004';
const GRAPH_DOWN_USER = '0b6f1c43-0000-4000-8000-000000000005';
const GROUP = '0b6f1c43-0000-4000-8000-00000000ccc1';

type Card = { body: Record<string, unknown>[] };

function cardOf(activity: Record<string, unknown>): Card | undefined {
  return (activity.attachments as { content: Card }[] | undefined)?.[0]?.content;
}

describe('the policy gate over HTTP', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let graph: LoopbackServer;
  const graphCalls: { path: string; authorization: string; groupIds: string[] }[] = [];

  /** A Teams message in `TENANT` from `user`, in a chat of its own. */
  const message = (text: string, user: string, conversationId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const base = userMessage(connector.url, text, { conversationId, userId: `29:${user}` });
    return {
      ...base,
      from: { id: `29:${user}`, name: 'Someone', aadObjectId: user },
      conversation: { ...(base.conversation as object), tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      ...extra,
    };
  };
  const questionsAsked = () => genie.stats().requests['start-conversation'] ?? 0;

  /** Posts, expects `status`, and checks that Genie was not asked and that only `replies` lines were sent. */
  async function refused(activity: Record<string, unknown>, status: number, reply?: string): Promise<Response> {
    const before = { genie: questionsAsked(), sent: connector.received.length };
    const response = await harness.post(activity);
    assert.equal(response.status, status);
    if (reply !== undefined) await connector.waitFor((received) => received.length > before.sent);
    await delay(200);
    assert.equal(questionsAsked(), before.genie, 'Genie was not asked');
    const sent = connector.received.slice(before.sent);
    assert.deepEqual(
      sent.map((r) => r.activity.text),
      reply === undefined ? [] : [reply],
      'nothing sent but the polite line',
    );
    return response;
  }

  before(async () => {
    graph = await startLoopbackServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const user = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/.exec(req.url ?? '')?.[1] ?? '';
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { groupIds?: string[] };
        graphCalls.push({ path: req.url ?? '', authorization: req.headers.authorization ?? '', groupIds: body.groupIds ?? [] });
        res.setHeader('Content-Type', 'application/json');
        if (user === GRAPH_DOWN_USER) return void res.writeHead(503).end('{}');
        res.end(JSON.stringify({ value: user === GROUP_MEMBER ? [GROUP] : [] }));
      });
    });
    useBotAppOverrides({
      graph: {
        baseUrl: graph.url,
        credential: { getToken: () => Promise.resolve({ token: 'graph-test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) },
      },
    });
    harness = await startBotHarness(
      {
        ALLOWED_TENANT_IDS: TENANT,
        ALLOWED_USER_IDS: `${ALLOWED_USER},${RATE_USER}`,
        ALLOWED_GROUP_IDS: GROUP,
        USER_QUESTIONS_PER_MINUTE: '2',
        LOG_LEVEL: 'error',
      },
      { demo: false },
      // The fake Graph is swapped in process: served from the unbundled build, which shares this process's modules.
      UNBUNDLED_APP,
    );
    ({ genie, connector } = harness);
  });
  after(async () => {
    await harness.close();
    await graph.close();
    useBotAppOverrides({});
  });

  it('answers an allowed person in the allowed tenant', async () => {
    const asked = questionsAsked();
    assert.equal((await harness.post(message('how many orders?', ALLOWED_USER, 'a:allowed'))).status, 200);
    await connector.waitFor(() => connector.messages('a:allowed').some((m) => cardOf(m.activity)));
    assert.equal(questionsAsked(), asked + 1);
  });

  it('answers a member of an allowed group, asking Graph with the app token for exactly that group', async () => {
    assert.equal((await harness.post(message('how many orders?', GROUP_MEMBER, 'a:group'))).status, 200);
    await connector.waitFor(() => connector.messages('a:group').some((m) => cardOf(m.activity)));
    const call = graphCalls.find((c) => c.path.includes(GROUP_MEMBER));
    assert.equal(call?.authorization, 'Bearer graph-test-token');
    assert.deepEqual(call?.groupIds, [GROUP]);
  });

  it('refuses another tenant with a 403 and sends nothing', async () => {
    const other = '0b6f1c43-0000-4000-8000-00000000bbbb';
    const activity = message('how many orders?', ALLOWED_USER, 'a:other-tenant', { channelData: { tenant: { id: other } } });
    const response = await refused({ ...activity, conversation: { ...(activity.conversation as object), tenantId: other } }, 403);
    assert.deepEqual(await response.json(), { error: 'tenant_not_allowed' });
  });

  it('refuses an activity that names no tenant while a tenant list applies', async () => {
    const activity = message('how many orders?', ALLOWED_USER, 'a:no-tenant', { channelData: {} });
    await refused({ ...activity, conversation: { id: 'a:no-tenant', conversationType: 'personal' } }, 403);
  });

  it('refuses the webchat channel (not listed) with a 403 and sends nothing', async () => {
    const response = await refused(message('how many orders?', ALLOWED_USER, 'a:webchat', { channelId: 'webchat' }), 403);
    assert.deepEqual(await response.json(), { error: 'channel_not_allowed' });
  });

  it('tells a person in neither list, politely, that they are not set up; Genie is not asked', async () => {
    await refused(message('how many orders?', OUTSIDER, 'a:outsider'), 200, EN.text('refusal.notAllowed'));
  });

  it('refuses a message with no Entra object id when a user list applies', async () => {
    const activity = message('how many orders?', OUTSIDER, 'a:anonymous');
    await refused({ ...activity, from: { id: '29:anonymous' } }, 200, EN.text('refusal.notAllowed'));
  });

  it('fails closed with a plain line when Graph cannot answer', async () => {
    await refused(message('how many orders?', GRAPH_DOWN_USER, 'a:graph-down'), 200, EN.text('refusal.membershipUnknown'));
  });

  it('refuses a card action from a person who may not ask with a 403', async () => {
    const invoke = {
      ...message('', OUTSIDER, 'a:outsider-invoke'),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'genie.feedback',
          data: { rating: 'POSITIVE', ref: { spaceId: 'x', conversationId: 'y', messageId: 'z' } },
        },
      },
    };
    await refused(invoke, 403);
    assert.equal(genie.feedback().length, 0);
  });

  it('counts questions only, and past the rate tells the person when to ask again; Genie is not asked', async () => {
    assert.equal((await harness.post(message('help', RATE_USER, 'a:rate'))).status, 200, 'a command is not counted');
    for (const question of ['first?', 'second?']) assert.equal((await harness.post(message(question, RATE_USER, 'a:rate'))).status, 200);
    await connector.waitFor(() => connector.messages('a:rate').filter((m) => cardOf(m.activity)).length >= 3);
    const before = { genie: questionsAsked(), sent: connector.received.length };
    assert.equal((await harness.post(message('third?', RATE_USER, 'a:rate'))).status, 200);
    await connector.waitFor((received) => received.length > before.sent);
    await delay(200);
    assert.equal(questionsAsked(), before.genie, 'Genie was not asked');
    const lines = connector.received.slice(before.sent).map((r) => String(r.activity.text));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^You've asked a lot of questions in the last minute\. Please wait \d+ seconds? and ask again\.$/);
    assert.ok(!lines[0]!.includes('third'), 'the question is not echoed');
  });

  it('without an app id, serves no serviceUrl off this machine: 403 and nothing processed', async () => {
    // 0.0.0.0 reaches this machine's connector, so a reply would be recorded if one were sent.
    const offLoopback = connector.url.replace('127.0.0.1', '0.0.0.0');
    const response = await refused({ ...message('how many orders?', ALLOWED_USER, 'a:exfil'), serviceUrl: offLoopback }, 403);
    assert.deepEqual(await response.json(), { error: 'service_url_not_loopback_without_app_id' });
  });

  it('binds a card action to its chat: the same button from another chat is refused, nothing reaches Genie', async () => {
    const answer = connector.messages('a:allowed').find((m) => cardOf(m.activity));
    const find = (elements: Record<string, unknown>[]): Record<string, unknown> | undefined => {
      for (const element of elements) {
        if (element.title === '👍') return element;
        const inner = find([
          ...((element.items as Record<string, unknown>[]) ?? []),
          ...((element.actions as Record<string, unknown>[]) ?? []),
        ]);
        if (inner) return inner;
      }
      return undefined;
    };
    const up = find(cardOf(answer!.activity)!.body);
    const invoke = (conversationId: string) => ({
      ...message('', ALLOWED_USER, conversationId),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: up?.verb, data: up?.data } },
    });
    const elsewhere = await harness.post(invoke('a:another-chat'));
    assert.equal(elsewhere.status, 403);
    const forged = await harness.post({
      ...invoke('a:allowed'),
      value: {
        action: {
          type: 'Action.Execute',
          verb: up?.verb,
          data: { ...(up?.data as object), ref: { ...(up?.data as { ref: object }).ref, messageId: 'another-message' } },
        },
      },
    });
    assert.equal(forged.status, 403, 'only for the Genie message the job recorded');
    assert.equal(genie.feedback().length, 0);
    const own = await harness.post(invoke('a:allowed'));
    assert.equal(own.status, 200, 'from its own chat it is honoured');
    assert.equal(genie.feedback().length, 1);
  });

  it('counts refusals by reason in /api/metrics', async () => {
    const metrics = (await (await fetch(`${harness.host.url}/api/metrics`)).json()) as { refusalsByReason: Record<string, number> };
    for (const reason of ['tenant', 'channel', 'user', 'group', 'group_check_failed', 'rate', 'service_url', 'card_action']) {
      assert.ok((metrics.refusalsByReason[reason] ?? 0) >= 1, `${reason} counted: ${JSON.stringify(metrics.refusalsByReason)}`);
    }
  });
});
