import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator, ScriptedAnswer } from '../../dev/genie-emulator';
import { type BotHarness, startBotHarness } from '../helpers/harness';
import { eventually } from '../helpers/servers';

const OAUTH_CARD = 'application/vnd.microsoft.card.oauth';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** Revenue per region: Unity Catalog-like row filters in the emulator leave each person their own region. */
const BY_REGION: ScriptedAnswer = {
  queries: [
    {
      title: 'Revenue by region',
      sql: 'SELECT region, revenue FROM sales',
      result: {
        columns: [
          { name: 'region', type_name: 'STRING' },
          { name: 'revenue', type_name: 'LONG' },
        ],
        rows: [
          ['Westland', '10'],
          ['Eastland', '20'],
        ],
      },
    },
  ],
  text: 'Revenue by region.',
};

const SLOW: ScriptedAnswer = {
  ...BY_REGION,
  steps: [
    { status: 'ASKING_AI', afterMs: 0 },
    { status: 'EXECUTING_QUERY', afterMs: 600 },
    { status: 'COMPLETED', afterMs: 1_200 },
  ],
};

const ALICE = '29:alice';
const BOB = '29:bob';
const CAROL = '29:carol';

/** Genie's answers with `status`, over all endpoints. */
function responsesWith(genie: GenieEmulator, status: number): number {
  return Object.entries(genie.stats().responses)
    .filter(([key]) => key.endsWith(` ${status}`))
    .reduce((sum, [, count]) => sum + count, 0);
}

function attachmentsOf(activity: Record<string, unknown>): { contentType?: string }[] {
  return (activity.attachments as { contentType?: string }[] | undefined) ?? [];
}

describe('asking with the asker’s own rights (GENIE_IDENTITY=user)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  const ask = (text: string, userId: string, conversationId: string, conversationType = 'personal') =>
    harness.post(
      userMessage(connector.url, text, { userId, conversationId, conversationType, mentionBot: conversationType !== 'personal' }),
    );
  const invoke = (userId: string, conversationId: string, name: string, value: unknown) =>
    harness.post({ ...userMessage(connector.url, '', { userId, conversationId }), type: 'invoke', name, value, text: undefined });
  const shown = (conversationId: string, contentType: string) =>
    connector.messages(conversationId).filter((m) => attachmentsOf(m.activity).some((a) => a.contentType === contentType));
  const answers = (conversationId: string) => shown(conversationId, ADAPTIVE_CARD).map((m) => JSON.stringify(m.activity));
  const waitForAnswers = (conversationId: string, count: number) => connector.waitFor(() => answers(conversationId).length >= count);

  before(async () => {
    harness = await startBotHarness(
      // No Databricks credentials of the app's own: every call to Genie must carry the asker's token.
      { GENIE_IDENTITY: 'user', OAUTH_CONNECTION_NAME: 'databricks', USER_ANSWERS_IN_SHARED_CHATS: 'thread', DATABRICKS_TOKEN: undefined },
      {
        demo: false,
        users: [
          { token: 'alice-1', name: 'alice', rowFilter: { column: 'region', equals: 'Westland' } },
          { token: 'alice-2', name: 'alice', rowFilter: { column: 'region', equals: 'Westland' } },
          { token: 'bob-1', name: 'bob', rowFilter: { column: 'region', equals: 'Eastland' } },
          { token: 'carol-1', name: 'carol', rowFilter: { column: 'region', equals: 'Eastland' } },
        ],
      },
    );
    ({ genie, connector } = harness);
  });
  afterEach(() => {
    genie.reset();
    connector.tokens.revoke(ALICE);
    connector.tokens.revoke(BOB);
    connector.tokens.revoke(CAROL);
  });
  after(() => harness.close());

  it('gives two people different rows for the same question, each with their own token', async () => {
    genie.script('revenue by region', BY_REGION);
    connector.tokens.signIn(ALICE, 'alice-1');
    connector.tokens.signIn(BOB, 'bob-1');
    await ask('revenue by region', ALICE, 'a:alice');
    await ask('revenue by region', BOB, 'a:bob');
    await Promise.all([waitForAnswers('a:alice', 1), waitForAnswers('a:bob', 1)]);
    const [alice] = answers('a:alice');
    const [bob] = answers('a:bob');
    assert.match(alice ?? '', /Westland/);
    assert.doesNotMatch(alice ?? '', /Eastland/);
    assert.match(bob ?? '', /Eastland/);
    assert.doesNotMatch(bob ?? '', /Westland/);
  });

  it('sends a sign-in card and asks Genie nothing when the asker has no token; answers once after sign-in', async () => {
    genie.script('revenue by region', BY_REGION);
    const response = await ask('revenue by region', CAROL, 'a:carol');
    assert.equal(response.status, 200);
    await connector.waitFor(() => shown('a:carol', OAUTH_CARD).length === 1);
    const card = attachmentsOf(shown('a:carol', OAUTH_CARD)[0]?.activity ?? {})[0] as { content?: Record<string, unknown> };
    assert.equal(card.content?.connectionName, 'databricks');
    assert.ok(card.content?.tokenExchangeResource, 'Teams SSO needs the token-exchange resource');
    assert.equal(genie.messages().length, 0, 'nothing reached Genie before sign-in');

    // Teams' silent SSO fails for this tenant: 412 makes it show the button; still nothing asked.
    const refused = await invoke(CAROL, 'a:carol', 'signin/tokenExchange', { id: 'x', connectionName: 'databricks', token: 'unknown' });
    assert.equal(refused.status, 412);
    assert.equal(genie.messages().length, 0);

    // The sign-in page's code completes it; then a late SSO exchange arrives too: still one answer.
    connector.tokens.issueCode(CAROL, '123456', 'carol-1');
    const verified = await invoke(CAROL, 'a:carol', 'signin/verifyState', { state: '123456' });
    assert.equal(verified.status, 200);
    connector.tokens.allowExchange('teams-sso', 'carol-1');
    const exchanged = await invoke(CAROL, 'a:carol', 'signin/tokenExchange', { id: 'y', connectionName: 'databricks', token: 'teams-sso' });
    assert.equal(exchanged.status, 200);
    await waitForAnswers('a:carol', 1);
    assert.match(answers('a:carol')[0] ?? '', /Eastland/);
    assert.equal(genie.messages().length, 1, 'the original question, asked once, without asking again');
  });

  it('keeps each person’s Genie conversation in a group chat: a second person’s follow-up starts their own', async () => {
    genie.script('revenue by region', BY_REGION);
    connector.tokens.signIn(ALICE, 'alice-1');
    connector.tokens.signIn(BOB, 'bob-1');
    await ask('revenue by region', ALICE, '19:group', 'groupChat');
    await waitForAnswers('19:group', 1);
    await ask('revenue by region', BOB, '19:group', 'groupChat');
    await waitForAnswers('19:group', 2);
    const asked = genie.messages();
    assert.equal(asked.length, 2);
    assert.notEqual(asked[0]?.conversationId, asked[1]?.conversationId, 'Bob did not continue Alice’s conversation');
    assert.equal(responsesWith(genie, 403), 0, 'Genie never refused a foreign conversation');
    assert.match(answers('19:group')[1] ?? '', /Eastland/);
  });

  it('fetches a fresh token from the token service after a 401 mid-wait', async () => {
    genie.script('slow', SLOW);
    connector.tokens.signIn(ALICE, 'alice-1');
    await ask('slow', ALICE, 'a:refresh');
    await eventually(() => genie.messages().length === 1, 5_000, 'question asked');
    // The token expires while Genie works; the token service has refreshed it meanwhile.
    genie.revokeToken('alice-1');
    connector.tokens.signIn(ALICE, 'alice-2');
    const before = connector.tokens.requests('GetToken').filter((r) => r.userId === ALICE).length;
    await waitForAnswers('a:refresh', 1);
    assert.match(answers('a:refresh')[0] ?? '', /Westland/);
    assert.ok(responsesWith(genie, 401) >= 1, 'Genie refused the expired token once');
    const after = connector.tokens.requests('GetToken').filter((r) => r.userId === ALICE).length;
    assert.ok(after > before, 'the worker asked the token service again');
  });

  it('signs out with the sign out command', async () => {
    connector.tokens.signIn(ALICE, 'alice-1');
    await ask('sign out', ALICE, 'a:signout');
    await connector.waitFor(() => connector.messages('a:signout').length === 1);
    assert.equal(connector.tokens.requests('SignOut').length, 1);
    await ask('revenue by region', ALICE, 'a:signout');
    await connector.waitFor(() => shown('a:signout', OAUTH_CARD).length === 1);
  });
});
