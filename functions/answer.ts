import type { InvocationContext } from '@azure/functions';

import { QUESTIONS_QUEUE } from '../shared/config';
import { registerQueue } from '../shared/hosting';

/** Queue trigger: answers one question handed off by the webhook. Throwing lets the host retry it. */
export async function answer(queueEntry: unknown, context: InvocationContext): Promise<void> {
  const { answerQuestion } = await import('../shared/app/index.js');
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
  const outcome = await answerQuestion(queueEntry, dequeueCount, context.traceContext?.traceParent ?? undefined);
  // Not ours and not answerable: retrying cannot help, and there is no user to tell.
  if (outcome === 'dropped') context.error('answer: queue message is not a question job; dropped');
}

export const answerFunction = registerQueue({
  name: 'answer',
  queueName: QUESTIONS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: answer,
});
