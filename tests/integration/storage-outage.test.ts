import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { type QueuePoller, startQueuePoller } from '../../dev/queue-poller';
import type { QueueFunctionDefinition } from '../../shared/hosting';
import { type DiskAzurite, startDiskAzurite } from '../helpers/azurite';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';

/** How long storage stays down: the 10 s, long enough for every client retry inside to give up. */
const OUTAGE_MS = 10_000;

describe('Azure Storage down for 10 s while questions are in flight (Azurite on disk, queue mode)', { timeout: 180_000 }, () => {
  let azurite: DiskAzurite;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  let poller: QueuePoller;

  const post = (activity: Record<string, unknown>) =>
    fetch(`${host.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
  /** Every arrival (sends and in-place updates) carrying the answer card: a second delivery would count twice. */
  const cards = (chat: string, text: string) =>
    connector.received.filter(
      (r) => r.conversationId === chat && Array.isArray(r.activity.attachments) && JSON.stringify(r.activity).includes(text),
    ).length;

  before(async () => {
    [azurite, genie, connector] = await Promise.all([startDiskAzurite(), startGenieEmulator({ demo: false }), startFakeConnector()]);
    useEnv({
      ...TEST_ENV,
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      AzureWebJobsStorage: azurite.connectionString,
      ANSWER_DISPATCH: 'queue',
      STATUS_MESSAGE_DELAY_SECONDS: '0',
    });
    host = await startDevHost({ port: 0, log: () => undefined });
    const answer = host.definitions.find((d): d is QueueFunctionDefinition => d.kind === 'queue' && d.name === 'answer')!;
    poller = startQueuePoller(azurite.connectionString, answer, () => undefined, { intervalMs: 100, visibilityTimeoutSeconds: 5 });
  });
  after(async () => {
    await poller.stop();
    await host.close();
    await Promise.all([connector.close(), genie.close(), azurite.stop()]);
    restoreEnv();
  });

  it('while storage is down the webhook answers 503 and the redelivery is taken; afterwards the question in flight is answered once and nothing twice', async () => {
    genie.script('before the outage', { text: 'answer one' });
    genie.script('in flight', {
      text: 'answer two',
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 4_000 },
      ],
    });
    genie.script('during the outage', { text: 'answer three' });

    assert.equal((await post(userMessage(connector.url, 'before the outage', { conversationId: 'a:one' }))).status, 200);
    await connector.waitFor(() => cards('a:one', 'answer one') === 1, 20_000);

    assert.equal((await post(userMessage(connector.url, 'in flight', { conversationId: 'a:two' }))).status, 200);
    await connector.waitFor(() => genie.stats().requests['start-conversation'] === 2, 20_000);

    await azurite.pause();
    // Nothing can be recorded: a clear 503 with Retry-After, so Bot Service delivers the activity again.
    const during = userMessage(connector.url, 'during the outage', { conversationId: 'a:three' });
    const refused = await post(during);
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, 'Retry-After says when to deliver again');
    assert.equal(connector.messages('a:three').length, 0, 'the asker is not told to resend: the channel does');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    await azurite.resume();
    // The redelivery (the same activity) is taken: the failed attempt left nothing claimed.
    assert.equal((await post(during)).status, 200);
    await connector.waitFor(() => cards('a:two', 'answer two') >= 1 && cards('a:three', 'answer three') >= 1, 90_000);
    assert.equal(cards('a:one', 'answer one'), 1);
    assert.equal(cards('a:two', 'answer two'), 1, 'the question in flight is answered once');
    assert.equal(cards('a:three', 'answer three'), 1, 'the redelivered question is answered once');
    assert.equal(
      genie.stats().requests['start-conversation'] + genie.stats().requests['create-message'],
      3,
      'each question asked of Genie once',
    );
  });
});
