import { QueueClient } from '@azure/storage-queue';

import { HOST_SETTINGS } from '../shared/config';
import type { QueueFunctionDefinition } from '../shared/hosting';
import { createInvocationContext } from './host';

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * Stands in for the Functions queue trigger under `npm run dev` with ANSWER_DISPATCH=queue: polls
 * the queue in Azurite, calls the function's handler with the decoded message and dequeueCount,
 * keeps it hidden while the handler runs, deletes on success, leaves failures to reappear, and
 * moves a message to the poison queue after the last attempt — the host's semantics, for local use.
 * A message sent with a visibility delay (a question waiting for admission) appears when it is due.
 */
export function startQueuePoller(
  connectionString: string,
  definition: QueueFunctionDefinition,
  log: (line: string) => void,
  options: { intervalMs?: number; visibilityTimeoutSeconds?: number } = {},
): QueuePoller {
  const queue = new QueueClient(connectionString, definition.queueName);
  const poison = new QueueClient(connectionString, `${definition.queueName}-poison`);
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const visibilitySeconds = options.visibilityTimeoutSeconds ?? HOST_SETTINGS.queueVisibilityTimeoutMs / 1000;

  /**
   * Like the Functions host, keeps a message hidden while its handler runs (renewing at half the
   * visibility timeout), so a long Genie wait does not hand it to another worker. stop() gives the
   * latest pop receipt, which the delete needs.
   */
  const keepInvisible = (messageId: string, popReceipt: string): { stop: () => Promise<string> } => {
    let receipt = popReceipt;
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = queue
          .updateMessage(messageId, receipt, undefined, visibilitySeconds)
          .then((updated) => {
            if (updated.popReceipt) receipt = updated.popReceipt;
          })
          .catch((error: unknown) => log(`[dev-queue] renewing ${messageId} failed: ${error instanceof Error ? error.name : 'error'}`));
      },
      (visibilitySeconds * 1000) / 2,
    );
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await renewing;
        return receipt;
      },
    };
  };

  const once = async (): Promise<void> => {
    await queue.createIfNotExists();
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: 8,
      visibilityTimeout: visibilitySeconds,
    });
    await Promise.all(
      receivedMessageItems.map(async (item) => {
        const text = Buffer.from(item.messageText, 'base64').toString('utf8');
        let entry: unknown = text;
        try {
          entry = JSON.parse(text);
        } catch {
          // Like the host: a message that is not JSON reaches the handler as a string.
        }
        const context = createInvocationContext(definition.name, log);
        Object.assign(context, { triggerMetadata: { dequeueCount: item.dequeueCount, id: item.messageId } });
        const lease = keepInvisible(item.messageId, item.popReceipt);
        try {
          await definition.handler(entry, context);
          await queue.deleteMessage(item.messageId, await lease.stop());
        } catch (error: unknown) {
          const popReceipt = await lease.stop();
          log(`[dev-queue] ${definition.name} failed (attempt ${item.dequeueCount}): ${error instanceof Error ? error.name : 'error'}`);
          if (item.dequeueCount >= HOST_SETTINGS.maxDequeueCount) {
            await poison.createIfNotExists();
            await poison.sendMessage(item.messageText);
            await queue.deleteMessage(item.messageId, popReceipt);
          }
        }
      }),
    );
  };

  const loop = (): void => {
    if (!running) return;
    current = once()
      .catch((error: unknown) =>
        log(`[dev-queue] polling ${definition.queueName} failed: ${error instanceof Error ? error.message : 'error'}`),
      )
      .finally(() => {
        if (running) timer = setTimeout(loop, options.intervalMs ?? 500);
      });
  };
  loop();
  return {
    stop: async () => {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
