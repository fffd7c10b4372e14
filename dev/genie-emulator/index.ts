/**
 * The Genie emulator: a faithful, scriptable fake of the Databricks Genie Conversation API on
 * 127.0.0.1, for tests, benchmarks and `npm run dev`. This is the one entry point.
 *
 * In process: `const genie = await startGenieEmulator({ timeScale: 0.1 })`, then `genie.script(...)`,
 * `genie.fault(...)`, `genie.stats()`, `await genie.close()`.
 * From another process (the dev host as a child, benchmarks), the unauthenticated admin API:
 * `POST /_emulator/scripts {match, regex?, flags?, answer}`, `POST /_emulator/faults <Fault>`,
 * `GET /_emulator/stats` -> `{stats, messages, feedback}`, `POST /_emulator/reset`, `GET /_emulator`.
 * As its own process: `node dist/dev/genie-emulator/cli.js --help`.
 */
export { DEMO_QUESTIONS, DEMO_SPACE_ID, querySteps } from './demo';
export { DEMO_OPS_QUESTIONS, DEMO_OPS_SPACE, DEMO_OPS_SPACE_ID } from './demo-ops';
export type { EmulatorUser } from './principals';
export { DEFAULT_EMULATOR_TOKEN, startGenieEmulator } from './server';
export { MAX_RESULT_ROWS } from './tables';
export type {
  EmulatedMessage,
  EmulatedSpace,
  EmulatorStats,
  EndpointName,
  Fault,
  FeedbackRecord,
  GenieEmulator,
  GenieEmulatorOptions,
  OAuthClient,
  ScriptedAnswer,
  ScriptedDownload,
  ScriptedQuery,
  ScriptedStep,
  TableColumnSpec,
  TableSpec,
} from './types';
export { parseFault, parseScriptedAnswer, parseScriptEntries, parseScriptEntry, ScenarioError, type ScriptEntry } from './validate';
