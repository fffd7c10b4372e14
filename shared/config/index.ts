import type { ConfigProblem } from './env-reader';
import { loadConfig } from './load';
import type { AppConfig, ConfigResult } from './types';

export type { ConfigProblem } from './env-reader';
export { HOST_SETTINGS } from './host';
export { loadConfig } from './load';
export * from './records';
export type {
  AppConfig,
  BotAppType,
  ConfigResult,
  DatabricksAuthConfig,
  GenieIdentity,
  HttpClientSettings,
  LogLevel,
  PolicySettings,
  SpaceChoice,
  SpacePin,
  StorageConfig,
} from './types';

/** The queue between the webhook and the answer worker (bindings need a literal, so it is not a setting). */
export const QUESTIONS_QUEUE = 'genie-questions';

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Configuration is incomplete:\n${problems.map((p) => `  - ${p.setting}: ${p.kind}, expected ${p.expected}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

let cached: ConfigResult | undefined;

/** The process configuration, read from `process.env` once. */
export function readConfig(): ConfigResult {
  cached ??= loadConfig(process.env);
  return cached;
}

/** The process configuration; throws a {@link ConfigError} naming every problem when incomplete. */
export function getConfig(): AppConfig {
  const result = readConfig();
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/** Forgets the cached configuration: the dev host calls it after filling in local settings. */
export function reloadConfig(): ConfigResult {
  cached = undefined;
  return readConfig();
}
