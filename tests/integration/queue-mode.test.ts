import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { QueueClient } from '@azure/storage-queue';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { type QueuePoller, startQueuePoller } from '../../dev/queue-poller';
import { getBotApp } from '../../shared/app';
import type { QueueFunctionDefinition } from '../../shared/hosting';
import type { MetricsDocument } from '../../shared/telemetry';
import { type Azurite, startAzurite } from '../helpers/azurite';
import { restoreEnv, TEST_ENV, useEnv } from '../helpers/env';
import { eventually } from '../helpers/servers';

describe('queue mode on Azurite: webhook → queue → answer function → reply', () => {
  let azurite: Azurite;
  let genie: GenieEmulator;
  let connector: FakeConnector;
  let host: DevHost;
  const pollers: QueuePoller[] = [];

  const queueFunction = (name: string) =>
    host.definitions.find((d): d is QueueFunctionDefinition => d.kind === 'queue' && d.name === name)!;
  const post = (activity: Record<string, unknown>) =>
    fetch(`${host.url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });

  before(async () => {
    [azurite, genie, connector] = await Promise.all([startAzurite(), startGenieEmulator({ demo: false }), startFakeConnector()]);
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
  });
  after(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    await host.close();
    await Promise.all([connector.close(), genie.close(), azurite.stop()]);
    restoreEnv();
  });

  it('uses Azure Table state and the storage queue', async () => {
    // Asked of the app the dev host serves (deploy/), not of this process's own copy of the modules.
    const { setup } = (await (await fetch(`${host.url}/api/metrics`)).json()) as MetricsDocument;
    assert.equal(setup.stateStore, 'table');
    assert.equal(setup.dispatch, 'queue');
  });

  it('answers a question through the questions queue', async () => {
    genie.script('queued question', {
      text: 'from the queue',
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 100 },
      ],
    });
    pollers.push(startQueuePoller(azurite.connectionString, queueFunction('answer'), () => undefined, { intervalMs: 100 }));
    const response = await post(userMessage(connector.url, 'queued question', { conversationId: 'a:queued' }));
    assert.equal(response.status, 200);
    await connector.waitFor(
      () => connector.messages('a:queued').some((m) => JSON.stringify(m.activity).includes('from the queue')),
      15_000,
    );
    assert.equal(genie.stats().requests['start-conversation'], 1);
    await pollers.pop()!.stop();
  });

  it('tells the user and marks the job failed when a question reaches the poison queue', async () => {
    const response = await post(userMessage(connector.url, 'doomed question', { conversationId: 'a:poisoned' }));
    assert.equal(response.status, 200);
    // The host moves a message to <queue>-poison after maxDequeueCount failures; do that by hand.
    const queue = new QueueClient(azurite.connectionString, 'genie-questions');
    const poison = new QueueClient(azurite.connectionString, 'genie-questions-poison');
    await poison.createIfNotExists();
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 1 });
    const item = receivedMessageItems[0]!;
    await poison.sendMessage(item.messageText);
    await queue.deleteMessage(item.messageId, item.popReceipt);
    const jobId = (JSON.parse(Buffer.from(item.messageText, 'base64').toString('utf8')) as { jobId: string }).jobId;

    pollers.push(startQueuePoller(azurite.connectionString, queueFunction('answer-poison'), () => undefined, { intervalMs: 100 }));
    await connector.waitFor(() => connector.messages('a:poisoned').length > 0, 15_000);
    assert.match(String(connector.messages('a:poisoned')[0]?.activity.text), /couldn't get an answer/);
    const job = await eventually(
      async () => {
        // This process's own app, on the same Azurite tables as the app the dev host serves.
        const current = await (await getBotApp()).state.jobs.get(jobId);
        return current?.value.state === 'failed' && current;
      },
      5_000,
      'job marked failed',
    );
    assert.equal(job?.value.question, '', 'the question text is not kept once the job is finished');
    assert.equal(genie.stats().requests['start-conversation'], 1, 'the poisoned question was never asked');
  });
});
