/**
 * `npm start`: Azure Functions Core Tools on deploy/, the artifact that ships. Core Tools reads
 * local.settings.json from the folder it serves, so the project's copy goes beside the bundle
 * (deploy/.funcignore keeps it out of any package published from there).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { defaultAppDir } from './function-loader';

const appDir = defaultAppDir();
const settings = join(appDir, '..', 'local.settings.json');
if (existsSync(settings)) copyFileSync(settings, join(appDir, 'local.settings.json'));
writeFileSync(join(appDir, '.funcignore'), 'local.settings.json\n');
const func = spawn('func', ['start', ...process.argv.slice(2)], { cwd: appDir, stdio: 'inherit', shell: process.platform === 'win32' });
func.on('error', (error) => {
  console.error(`could not run Azure Functions Core Tools (func): ${error.message}. Without it, use \`npm run dev\`.`);
  process.exit(1);
});
func.on('exit', (code) => process.exit(code ?? 1));
