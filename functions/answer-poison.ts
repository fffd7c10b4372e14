import type { InvocationContext } from '@azure/functions';

import { QUESTIONS_QUEUE } from '../shared/config';
import { registerQueue } from '../shared/hosting';

/**
 * A question the host gave up on after maxDequeueCount: the user is told, the job marked failed.
 * Throwing (connector down, another worker mid-reply) lets the host retry the poison message too.
 */
export async function answerPoison(queueEntry: unknown, context: InvocationContext): Promise<void> {
  const { abandonQuestion } = await import('../shared/app/index.js');
  const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
  if ((await abandonQuestion(queueEntry, dequeueCount)) === 'dropped')
    context.error('answer-poison: queue message is not a question job; dropped');
}

export const answerPoisonFunction = registerQueue({
  name: 'answer-poison',
  queueName: `${QUESTIONS_QUEUE}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: answerPoison,
});
