import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import { DEMO_OPS_SPACE_ID, DEMO_SPACE_ID, type GenieEmulator } from '../../dev/genie-emulator';
import { type Activity, cardOf, executeActions } from '../helpers/cards';
import { type BotHarness, startBotHarness } from '../helpers/harness';

const ALICE = '29:alice';

/** The aliases of the space buttons on a `spaces` card. */
function aliasesOn(activity: Activity | undefined): string[] {
  return executeActions(cardOf(activity)).map((b) => (b.data as { alias: string }).alias);
}

describe('several Genie spaces in per-user mode (GENIE_IDENTITY=user)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    harness = await startBotHarness(
      {
        GENIE_SPACES: `sales=${DEMO_SPACE_ID};ops=${DEMO_OPS_SPACE_ID}`,
        GENIE_IDENTITY: 'user',
        OAUTH_CONNECTION_NAME: 'databricks',
        DATABRICKS_TOKEN: undefined,
      },
      // Alice may open the sales space only: Genie refuses her the ops space.
      { demo: true, timeScale: 0.01, users: [{ token: 'alice-1', name: 'alice', spaces: [DEMO_SPACE_ID] }] },
    );
    ({ genie, connector } = harness);
    connector.tokens.signIn(ALICE, 'alice-1');
  });
  after(() => harness.close());

  it('lists only the spaces the person can open, and refuses to switch to another', async () => {
    const say = (text: string) => harness.post(userMessage(connector.url, text, { userId: ALICE, conversationId: 'a:alice' }));
    await say('spaces');
    await connector.waitFor(() => connector.messages('a:alice').length >= 1);
    const card = connector.messages('a:alice')[0]?.activity;
    assert.deepEqual(aliasesOn(card), ['sales']);
    assert.doesNotMatch(JSON.stringify(card), /Operations/);
    assert.ok((genie.stats().responses['get-space 403'] ?? 0) >= 1, 'Genie refused her the ops space');

    await say('use ops');
    await connector.waitFor(() => connector.messages('a:alice').length >= 2);
    assert.match(String(connector.messages('a:alice')[1]?.activity.text), /You can’t open \*\*ops\*\* in Databricks/);
    await say('Top 5 products by revenue');
    await connector.waitFor(() => connector.messages('a:alice').length >= 3);
    assert.deepEqual(
      genie.messages().map((m) => m.spaceId),
      [DEMO_SPACE_ID],
      'her question went to the space she may open',
    );
  });
});
