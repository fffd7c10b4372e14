import { BOT_SETTINGS } from './bot';
import { CARD_SETTINGS } from './cards';
import { DATABRICKS_SETTINGS, GENIE_SETTINGS } from './databricks';
import { HTTP_SETTINGS } from './http';
import type { AnySetting } from './kinds';
import { POLICY_SETTINGS } from './policy';
import { RUNTIME_SETTINGS } from './runtime';
import { ANSWER_SETTINGS, STATE_SETTINGS } from './state';
import { TELEMETRY_SETTINGS } from './telemetry';

/**
 * Every setting the app reads, one record each (kinds.ts), in one file per area. The loader reads
 * through these records; docs/configuration.md (npm run docs:config), local.settings.json.example
 * and the infra test are checked against them.
 */

export { DEFAULT_SPACE_ALIAS } from './databricks';
export type { AnySetting, SettingValue, TextSetting, UrlSetting } from './kinds';
export { MAX_ALLOWED_GROUPS } from './policy';
export {
  ANSWER_SETTINGS,
  BOT_SETTINGS,
  CARD_SETTINGS,
  DATABRICKS_SETTINGS,
  GENIE_SETTINGS,
  HTTP_SETTINGS,
  POLICY_SETTINGS,
  RUNTIME_SETTINGS,
  STATE_SETTINGS,
  TELEMETRY_SETTINGS,
};

/** The areas in the order the docs list them. */
export const SETTING_AREAS: readonly { readonly title: string; readonly settings: Readonly<Record<string, AnySetting>> }[] = [
  { title: 'Databricks and Genie', settings: { ...DATABRICKS_SETTINGS, ...GENIE_SETTINGS } },
  { title: 'Bot Framework', settings: BOT_SETTINGS },
  { title: 'Who may ask', settings: POLICY_SETTINGS },
  { title: 'State and hand-off', settings: { ...STATE_SETTINGS, ...ANSWER_SETTINGS } },
  { title: 'Cards', settings: CARD_SETTINGS },
  { title: 'HTTP client', settings: HTTP_SETTINGS },
  { title: 'Telemetry and logs', settings: TELEMETRY_SETTINGS },
  { title: 'Runtime facts', settings: RUNTIME_SETTINGS },
];

export const SETTINGS: readonly AnySetting[] = SETTING_AREAS.flatMap((area) => Object.values(area.settings));
