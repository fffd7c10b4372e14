import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';

import { GUID, MANIFEST_VERSION, teamsAppIdFor } from './manifest';
import { ROOT } from './paths';
import { promptStartersFrom } from './prompt-starters';

/** The azd environment's values (.azure/<env>/.env), the environment named by `name`, AZURE_ENV_NAME or azd's default. */
export function readAzdEnv(root: string, name?: string): { name: string; values: Record<string, string | undefined> } | undefined {
  let envName = name;
  if (!envName) {
    const config = join(root, '.azure', 'config.json');
    if (existsSync(config)) envName = (JSON.parse(readFileSync(config, 'utf8')) as { defaultEnvironment?: string }).defaultEnvironment;
  }
  if (!envName) return undefined;
  const file = join(root, '.azure', envName, '.env');
  return existsSync(file) ? { name: envName, values: parseEnv(readFileSync(file, 'utf8')) } : undefined;
}

export interface PackageOptions {
  readonly botId: string;
  readonly botIdSource: string;
  /** The `{{NAME}}` values of the manifest template and the language files. */
  readonly values: Readonly<Record<string, string>>;
  /** SAMPLE_QUESTIONS (≤ 10), offered as Teams' prompt starters. */
  readonly promptStarters: readonly string[];
}

/** Where every manifest value comes from: flags, then the environment, then the azd environment, then defaults. */
export function resolveOptions(args: readonly string[], env: NodeJS.ProcessEnv, root = ROOT): PackageOptions {
  const { values: flags } = parseArgs({
    args: [...args],
    options: {
      'bot-id': { type: 'string' },
      'app-id': { type: 'string' },
      env: { type: 'string' },
      version: { type: 'string' },
      name: { type: 'string' },
    },
    strict: true,
  });
  const azd = readAzdEnv(root, flags.env ?? env.AZURE_ENV_NAME);
  const pick = (...candidates: [string, string | undefined][]): [string, string] | undefined => {
    const hit = candidates.find(([, value]) => value !== undefined && value.trim() !== '');
    return hit ? [hit[0], (hit[1] ?? '').trim()] : undefined;
  };
  const bot = pick(
    ['--bot-id', flags['bot-id']],
    ['BOT_ID', env.BOT_ID],
    ['MicrosoftAppId', env.MicrosoftAppId],
    [`BOT_ID in .azure/${azd?.name ?? '<env>'}/.env`, azd?.values.BOT_ID],
  );
  if (!bot) {
    throw new Error(
      'No bot id: pass --bot-id <guid>, set BOT_ID or MicrosoftAppId, or run `azd up` first (its BOT_ID output lands in .azure/<env>/.env).',
    );
  }
  const [botIdSource, botId] = bot;
  if (!GUID.test(botId)) throw new Error(`The bot id from ${botIdSource} is not a GUID.`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
  const site = env.FUNCTION_APP_URL ?? azd?.values.FUNCTION_APP_URL;
  const website = env.TEAMS_WEBSITE_URL ?? site ?? 'https://www.example.com';
  return {
    botId,
    botIdSource,
    // The same list the bot's welcome card shows, from the same setting.
    promptStarters: promptStartersFrom(env.SAMPLE_QUESTIONS ?? azd?.values.SAMPLE_QUESTIONS),
    values: {
      MANIFEST_VERSION,
      BOT_ID: botId,
      TEAMS_APP_ID: flags['app-id'] ?? env.TEAMS_APP_ID ?? teamsAppIdFor(botId),
      VERSION: flags.version ?? env.TEAMS_APP_VERSION ?? pkg.version ?? '1.0.0',
      APP_NAME: flags.name ?? env.TEAMS_APP_NAME ?? 'Genie',
      DEVELOPER_NAME: env.TEAMS_DEVELOPER_NAME ?? 'Genie for Teams',
      WEBSITE_URL: website,
      PRIVACY_URL: env.TEAMS_PRIVACY_URL ?? website,
      TERMS_URL: env.TEAMS_TERMS_URL ?? website,
    },
  };
}
