import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { HttpRequest, InvocationContext, type LogLevel } from '@azure/functions';

import { registerHttp } from '../../../shared/hosting';
import { createLogger } from '../../../shared/telemetry';

describe('logs under the Functions host', () => {
  const logger = createLogger('debug');
  const consoleLines: string[] = [];
  const original = { log: console.log, warn: console.warn, error: console.error };

  beforeEach(() => {
    consoleLines.length = 0;
    for (const method of ['log', 'warn', 'error'] as const) console[method] = (line: string) => consoleLines.push(`${method} ${line}`);
  });
  afterEach(() => Object.assign(console, original));

  /** A function registered the way every function file registers: it logs, then leaves `afterwards` running. */
  let afterwards: () => void = () => undefined;
  let late = Promise.resolve();
  const probe = registerHttp({
    name: 'log-probe',
    route: 'log-probe',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async () => {
      logger.debug('probe.debug', { n: 1 });
      logger.info('probe.info');
      await Promise.resolve();
      logger.warn('probe.warn');
      logger.error('probe.error', { code: 'E1' });
      const work = afterwards;
      late = new Promise<void>((resolve) => setImmediate(() => resolve(work())));
      return { status: 204 };
    },
  });

  /** Invokes the probe as the host would, with a context whose log lines are recorded. */
  async function invoke(): Promise<string[]> {
    const logged: string[] = [];
    const logHandler = (level: LogLevel, ...args: unknown[]) => logged.push(`${level} ${args.map(String).join(' ')}`);
    const context = new InvocationContext({ invocationId: 'inv-1', functionName: 'log-probe', logHandler });
    await probe.handler(new HttpRequest({ method: 'GET', url: 'http://localhost/api/log-probe' }), context);
    return logged;
  }

  it('writes each line through the invocation’s context, at the host level matching its own', async () => {
    afterwards = () => undefined;
    const logged = await invoke();
    await late;
    assert.deepEqual(logged, [
      'information {"level":"debug","event":"probe.debug","n":1}',
      'information {"level":"info","event":"probe.info"}',
      'warning {"level":"warn","event":"probe.warn"}',
      'error {"level":"error","event":"probe.error","code":"E1"}',
    ]);
    assert.deepEqual(consoleLines, [], 'nothing twice through the console');
  });

  it('sends work that outlives the invocation to the console, not to a finished invocation', async () => {
    afterwards = () => logger.warn('late.warn');
    const logged = await invoke();
    await late;
    assert.equal(logged.length, 4);
    assert.deepEqual(consoleLines, ['warn {"level":"warn","event":"late.warn"}']);
  });

  it('writes to the console outside any invocation', () => {
    logger.info('startup');
    assert.deepEqual(consoleLines, ['log {"level":"info","event":"startup"}']);
  });
});
