import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InlineDispatcher, isQuestionMessage, type QuestionMessage } from '../../../shared/state';

/** A dispatcher without pauses, recording every attempt, poison and error it reports. */
function recordingDispatcher(
  work: (dequeueCount: number) => Promise<void>,
  options: { maxDequeueCount?: number; poisonFails?: boolean } = {},
) {
  const attempts: number[] = [];
  const poisoned: QuestionMessage[] = [];
  const errors: [string, number][] = [];
  const dispatcher = new InlineDispatcher(
    async (_message, dequeueCount) => {
      attempts.push(dequeueCount);
      await work(dequeueCount);
    },
    (message) => {
      poisoned.push(message);
      return options.poisonFails ? Promise.reject(new Error('poison handler down')) : Promise.resolve();
    },
    {
      pickupDelayMs: 0,
      retryDelayMs: 0,
      onError: (error, dequeueCount) => errors.push([error.message, dequeueCount]),
      ...(options.maxDequeueCount ? { maxDequeueCount: options.maxDequeueCount } : {}),
    },
  );
  return { dispatcher, attempts, poisoned, errors };
}

describe('InlineDispatcher', () => {
  it('returns before the work runs (the webhook does not wait for the answer)', async () => {
    let started = false;
    const { dispatcher } = recordingDispatcher(() => Promise.resolve(void (started = true)));
    await dispatcher.dispatch({ jobId: 'j1' });
    assert.equal(started, false);
    await dispatcher.idle();
    assert.equal(started, true);
  });

  it('runs the work once when it succeeds', async () => {
    const { dispatcher, attempts, poisoned, errors } = recordingDispatcher(() => Promise.resolve());
    await dispatcher.dispatch({ jobId: 'j1' });
    await dispatcher.idle();
    assert.deepEqual(attempts, [1]);
    assert.deepEqual(poisoned, []);
    assert.deepEqual(errors, []);
  });

  it('retries a failed attempt with the next dequeue count, and stops at the first success', async () => {
    const { dispatcher, attempts, poisoned, errors } = recordingDispatcher((n) =>
      n < 2 ? Promise.reject(new Error(`failed ${n}`)) : Promise.resolve(),
    );
    await dispatcher.dispatch({ jobId: 'j1' });
    await dispatcher.idle();
    assert.deepEqual(attempts, [1, 2]);
    assert.deepEqual(errors, [['failed 1', 1]]);
    assert.deepEqual(poisoned, []);
  });

  it('tries maxDequeueCount times (3 by default, as host.json), then hands the message to the poison handler once', async () => {
    const { dispatcher, attempts, poisoned, errors } = recordingDispatcher((n) => Promise.reject(new Error(`failed ${n}`)));
    await dispatcher.dispatch({ jobId: 'j1' });
    await dispatcher.idle();
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.deepEqual(poisoned, [{ jobId: 'j1' }]);
    assert.deepEqual(errors, [
      ['failed 1', 1],
      ['failed 2', 2],
      ['failed 3', 3],
    ]);
  });

  it('honours a configured maxDequeueCount', async () => {
    const { dispatcher, attempts, poisoned } = recordingDispatcher(() => Promise.reject(new Error('down')), { maxDequeueCount: 5 });
    await dispatcher.dispatch({ jobId: 'j1' });
    await dispatcher.idle();
    assert.deepEqual(attempts, [1, 2, 3, 4, 5]);
    assert.equal(poisoned.length, 1);
  });

  it('reports a failing poison handler instead of losing the error', async () => {
    const { dispatcher, errors } = recordingDispatcher(() => Promise.reject(new Error('down')), { maxDequeueCount: 1, poisonFails: true });
    await dispatcher.dispatch({ jobId: 'j1' });
    await dispatcher.idle();
    assert.deepEqual(errors, [
      ['down', 1],
      ['poison handler down', 2],
    ]);
  });

  it('keeps dispatched messages apart', async () => {
    const seen: string[] = [];
    const dispatcher = new InlineDispatcher(
      (message) => Promise.resolve(void seen.push(message.jobId)),
      () => Promise.resolve(),
      { pickupDelayMs: 0, retryDelayMs: 0 },
    );
    await Promise.all(['a', 'b', 'c'].map((jobId) => dispatcher.dispatch({ jobId })));
    await dispatcher.idle();
    assert.deepEqual(seen.sort(), ['a', 'b', 'c']);
  });
});

describe('isQuestionMessage', () => {
  it('accepts only an object with a string job id', () => {
    assert.equal(isQuestionMessage({ jobId: 'j1' }), true);
    for (const value of [null, undefined, 'j1', {}, { jobId: 7 }, []]) assert.equal(isQuestionMessage(value), false, JSON.stringify(value));
  });
});
