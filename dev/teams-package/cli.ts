/**
 * Writes infra/teams/build/genie-teams.zip (and its files, unzipped, beside it).
 *
 *   npm run package:teams -- [--bot-id <guid>] [--env <azd env>] [--app-id <guid>] [--version x.y.z] [--name <short name>]
 *
 * The bot id comes from --bot-id, else BOT_ID, else MicrosoftAppId, else the BOT_ID output that `azd up`
 * wrote to .azure/<env>/.env.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BUILD_DIR, PACKAGE_NAME, packageFiles, resolveOptions, zipPackage } from './index';

function main(): void {
  const options = resolveOptions(process.argv.slice(2), process.env);
  const files = packageFiles(options);
  mkdirSync(BUILD_DIR, { recursive: true });
  for (const file of files) writeFileSync(join(BUILD_DIR, file.name), file.data);
  const target = join(BUILD_DIR, PACKAGE_NAME);
  writeFileSync(target, zipPackage(files));
  console.log(`bot id ${options.botId} (from ${options.botIdSource}), Teams app id ${options.values.TEAMS_APP_ID}`);
  console.log(`wrote ${target}: upload it in Teams (Apps > Manage your apps > Upload an app), see docs/deploy.md`);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
