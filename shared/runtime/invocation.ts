import { AsyncLocalStorage } from 'node:async_hooks';

/** The host's per-invocation log, as the Functions InvocationContext offers it. */
export interface InvocationLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

interface Scope {
  readonly log: InvocationLog;
  running: boolean;
}

const scopes = new AsyncLocalStorage<Scope>();

/**
 * Runs one invocation's handler with `log` as the log of all the code it calls, directly or through
 * timers and promises. Once the handler has settled, the scope closes: work that outlives it (an
 * inline answer after the webhook replied) gets `undefined`, because the host flags log calls on a
 * finished invocation.
 */
export function runInInvocation<R>(log: InvocationLog, handler: () => R): R {
  const scope: Scope = { log, running: true };
  const close = (): void => {
    scope.running = false;
  };
  let result: R;
  try {
    result = scopes.run(scope, handler);
  } catch (error: unknown) {
    close();
    throw error;
  }
  if (result instanceof Promise) void result.then(close, close);
  else close();
  return result;
}

/** The running invocation's log, or undefined outside an invocation (start-up, tests, work left running). */
export function currentInvocationLog(): InvocationLog | undefined {
  const scope = scopes.getStore();
  return scope?.running ? scope.log : undefined;
}
