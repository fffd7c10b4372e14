import type { InvocationContext } from '@azure/functions';

import { QUESTIONS_QUEUE } from '../shared/config';
import { registerQueue } from '../shared/hosting';
import { isQuestionMessage } from '../shared/state';

/** A question the host gave up on after maxDequeueCount: the user is told, the job marked failed. */
export async function answerPoison(queueEntry: unknown, context: InvocationContext): Promise<void> {
  if (!isQuestionMessage(queueEntry)) {
    context.error('answer-poison: queue message is not a question job; dropped');
    return;
  }
  const { abandonQuestion } = await import('../shared/app/index.js');
  await abandonQuestion(queueEntry);
}

export const answerPoisonFunction = registerQueue({
  name: 'answer-poison',
  queueName: `${QUESTIONS_QUEUE}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: answerPoison,
});
