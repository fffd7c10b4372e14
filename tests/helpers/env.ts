import { reloadConfig } from '../../shared/config';

/** A complete configuration for tests: PAT auth, memory state, inline hand-off, auth off. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  DATABRICKS_HOST: 'http://127.0.0.1:9',
  GENIE_SPACE_ID: '01ef64767add1e6daa55e6299276657d',
  DATABRICKS_TOKEN: 'dapi-test-token-0123456789abcdef',
  ANSWER_DISPATCH: 'inline',
  // Tests ask many questions as one user within a minute; the per-person rate has its own tests (gate.test.ts).
  USER_QUESTIONS_PER_MINUTE: '1000',
  // Likewise Genie's pace (admission has its own tests: admission.test.ts); the lane still orders each chat.
  GENIE_QUESTIONS_PER_MINUTE: '60000',
  // Tests written for the status line stay on it in personal chats; streaming has its own tests (streaming.test.ts).
  STREAM_PROGRESS: 'false',
  // Keep test output readable: the app's info lines are asserted where they matter, not printed.
  LOG_LEVEL: 'warn',
};

/** What each name set by useEnv held before the first change (undefined: it was not set). */
const previous = new Map<string, string | undefined>();

/** Replaces the process configuration for a test; {@link restoreEnv} puts back what was there before. */
export function useEnv(values: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!previous.has(name)) previous.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  reloadConfig();
}

/** Undoes every useEnv since the last restore: earlier values come back, names that were unset are removed. */
export function restoreEnv(): void {
  for (const [name, value] of previous) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  previous.clear();
  reloadConfig();
}
