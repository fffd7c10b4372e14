import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { QueueClient } from '@azure/storage-queue';

import { startQueuePoller } from '../../dev/queue-poller';
import type { QueueFunctionDefinition } from '../../shared/hosting';
import { StorageQueueDispatcher } from '../../shared/state';
import { type Azurite, startAzurite } from '../helpers/azurite';
import { eventually } from '../helpers/servers';

describe('dev queue poller and the delayed hand-back, on Azurite', { timeout: 60_000 }, () => {
  let azurite: Azurite;

  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite.stop();
  });

  it('keeps a message hidden while its handler runs past the visibility timeout: handled once, then deleted', async () => {
    const queueName = 'renewal';
    const queue = new QueueClient(azurite.connectionString, queueName);
    let calls = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const definition: QueueFunctionDefinition = {
      kind: 'queue',
      name: 'renewal',
      queueName,
      connection: 'AzureWebJobsStorage',
      handler: async () => {
        calls++;
        await held;
      },
    };
    await new StorageQueueDispatcher(queue).dispatch({ jobId: 'long-wait' });
    const poller = startQueuePoller(azurite.connectionString, definition, () => undefined, {
      intervalMs: 100,
      visibilityTimeoutSeconds: 1,
    });
    try {
      await eventually(() => Promise.resolve(calls === 1), 10_000, 'the handler starts');
      // Three visibility timeouts pass while the handler holds: without renewal the message reappears and runs again.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      assert.equal(calls, 1, 'not handed out again while its handler runs');
      release();
      await eventually(async () => (await queue.getProperties()).approximateMessagesCount === 0, 10_000, 'deleted after success');
      assert.equal(calls, 1);
    } finally {
      await poller.stop();
    }
  });

  it('a question handed back with a delay stays invisible until it is due', async () => {
    const queue = new QueueClient(azurite.connectionString, 'delayed');
    await new StorageQueueDispatcher(queue).dispatch({ jobId: 'waiting' }, { delayMs: 30_000 });
    assert.equal((await queue.getProperties()).approximateMessagesCount, 1, 'it is on the queue');
    assert.equal((await queue.peekMessages()).peekedMessageItems.length, 0, 'but nobody sees it yet');
  });
});
