import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { loadConfig } from '../../shared/config';
import { GenieClient, patTokenSource } from '../../shared/genie';
import { KeepAliveHttpClient } from '../../shared/http';
import { ManualClock } from '../../shared/runtime';
import { createBotState, createTableStores, sweepExpired } from '../../shared/state';
import { type Azurite, startAzurite } from '../helpers/azurite';
import { TEST_ENV } from '../helpers/env';

describe('the expiry sweep on Azure Table (Azurite) with Genie deletes (emulator)', () => {
  let azurite: Azurite;
  let genie: GenieEmulator;
  let http: KeepAliveHttpClient;

  before(async () => {
    [azurite, genie] = await Promise.all([startAzurite(), startGenieEmulator({ demo: false })]);
    http = new KeepAliveHttpClient({
      connectTimeoutMs: 2_000,
      readTimeoutMs: 5_000,
      totalTimeoutMs: 10_000,
      maxSockets: 10,
      maxSocketsPerHost: 10,
      freeSocketTimeoutMs: 30_000,
    });
  });
  after(async () => {
    http.destroy();
    await Promise.all([genie.close(), azurite.stop()]);
  });

  it('deletes what expired, in Genie too, and nothing else', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T08:00:00Z'));
    const config = loadConfig({
      ...TEST_ENV,
      GENIE_SPACE_ID: genie.spaceId,
      SESSION_IDLE_MINUTES: '240',
      AzureWebJobsStorage: azurite.connectionString,
      ANSWER_DISPATCH: 'queue',
    });
    assert.ok(config.ok);
    const stores = createTableStores(config.config.storage!, 'sweep', clock);
    const state = createBotState(stores, config.config, clock);
    const client = new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token) });

    // Three chats with real Genie conversations; one goes quiet, one is reset, one stays active.
    const conversations: Record<string, string> = {};
    for (const chat of ['quiet', 'reset', 'active']) {
      const lease = await state.sessions.acquire(chat, `job-${chat}`);
      const { ref } = await client.startConversation(`hello from ${chat}`);
      await state.sessions.recordAsked(chat, ref, lease);
      conversations[chat] = ref.conversationId;
    }
    await state.dedup.firstSeen('conv', 'old-activity');
    const oldJob = await state.jobs.create({ id: 'job-old', chatKey: 'quiet', question: 'q', reference: {} });
    await state.jobs.update((await state.jobs.get(oldJob.id))!, { state: 'answered' });
    await state.sessions.reset('reset');

    clock.advance(3 * 60 * 60_000);
    await state.sessions.recordAsked('active', { spaceId: genie.spaceId, conversationId: conversations.active!, messageId: 'm2' });
    await state.jobs.create({ id: 'job-new', chatKey: 'active', question: 'q', reference: {} });
    clock.advance(2 * 60 * 60_000); // 5 h after the start: quiet and reset expired, active used 2 h ago
    await state.dedup.firstSeen('conv', 'new-activity'); // de-dup keys live an hour

    const result = await sweepExpired(stores, {
      now: clock.now(),
      deleteConversation: (spaceId, id) => client.deleteConversation(id, spaceId),
    });
    assert.deepEqual(genie.stats().conversationsDeleted.sort(), [conversations.quiet, conversations.reset].sort());
    assert.equal(result.conversationsDeleted, 2);
    assert.equal(result.dedupDeleted, 1);
    assert.equal(result.jobsDeleted, 1);
    assert.ok(await state.sessions.current('active'), 'the active session stays');
    assert.equal(await state.sessions.current('quiet'), undefined);
    assert.ok(await state.dedup.firstSeen('conv', 'old-activity'), 'an expired de-dup key is gone');
    assert.equal(await state.dedup.firstSeen('conv', 'new-activity'), false, 'a live one is kept');
    assert.ok(await state.jobs.get('job-new'));
    assert.equal(await state.sessions.countActive(), 1);

    const again = await sweepExpired(stores, {
      now: clock.now(),
      deleteConversation: (spaceId, id) => client.deleteConversation(id, spaceId),
    });
    assert.equal(again.conversationsDeleted, 0, 'nothing left to delete');
  });
});
