import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { userMessage } from '../../dev/fake-connector';
import { type BotHarness, startBotHarness } from '../helpers/harness';

// Its own file: the served app is built once per process, from the settings of its first request.
describe('per-user mode in shared chats by default (USER_ANSWERS_IN_SHARED_CHATS=personal-chat-only)', () => {
  let harness: BotHarness;
  before(async () => {
    harness = await startBotHarness({ GENIE_IDENTITY: 'user', OAUTH_CONNECTION_NAME: 'databricks', DATABRICKS_TOKEN: undefined });
  });
  after(() => harness.close());

  it('points a group chat to the personal chat and asks Genie nothing, signed in or not', async () => {
    const { connector, genie } = harness;
    connector.tokens.signIn('29:alice', 'alice-1');
    const question = { conversationId: '19:shared', conversationType: 'groupChat', mentionBot: true };
    await harness.post(userMessage(connector.url, 'revenue by region', { ...question, userId: '29:alice' }));
    await harness.post(userMessage(connector.url, 'revenue by region', { ...question, userId: '29:bob' }));
    await connector.waitFor(() => connector.messages('19:shared').length === 2);
    for (const shown of connector.messages('19:shared')) assert.match(String(shown.activity.text), /personal chat/);
    assert.equal(genie.messages().length, 0);
    assert.equal(connector.tokens.requests('GetToken').length, 0, 'no token is even looked up');
  });
});
