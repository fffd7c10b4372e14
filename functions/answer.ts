import type { InvocationContext } from '@azure/functions';

import { QUESTIONS_QUEUE } from '../shared/config';
import { registerQueue } from '../shared/hosting';
import { isQuestionMessage } from '../shared/state';

/** Queue trigger: answers one question handed off by the webhook. Throwing lets the host retry it. */
export async function answer(queueEntry: unknown, context: InvocationContext): Promise<void> {
  if (!isQuestionMessage(queueEntry)) {
    // Not ours and not answerable: retrying cannot help, and there is no user to tell.
    context.error('answer: queue message is not a question job; dropped');
    return;
  }
  const { answerQuestion } = await import('../shared/app/index.js');
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
  await answerQuestion(queueEntry, dequeueCount, context.traceContext?.traceParent ?? undefined);
}

export const answerFunction = registerQueue({
  name: 'answer',
  queueName: QUESTIONS_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: answer,
});
