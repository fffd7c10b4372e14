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
 * deletes on success, leaves failures to reappear, and moves a message to the poison queue after
 * the last attempt — the host's semantics, for local use.
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

  const once = async (): Promise<void> => {
    await queue.createIfNotExists();
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: 8,
      visibilityTimeout: options.visibilityTimeoutSeconds ?? HOST_SETTINGS.queueVisibilityTimeoutMs / 1000,
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
        try {
          await definition.handler(entry, context);
          await queue.deleteMessage(item.messageId, item.popReceipt);
        } catch (error: unknown) {
          log(`[dev-queue] ${definition.name} failed (attempt ${item.dequeueCount}): ${error instanceof Error ? error.name : 'error'}`);
          if (item.dequeueCount >= HOST_SETTINGS.maxDequeueCount) {
            await poison.createIfNotExists();
            await poison.sendMessage(item.messageText);
            await queue.deleteMessage(item.messageId, item.popReceipt);
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
