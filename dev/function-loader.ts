import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { type FunctionDefinition, isFunctionDefinition } from '../shared/hosting';

const TEST_MODE_WARNING = /^WARNING: (Skipping call to register|Failed to detect the Azure Functions runtime)/;

/** The deployable app: deploy/, built by `npm run build:deploy`. */
export function defaultAppDir(): string {
  return join(__dirname, '..', '..', 'deploy');
}

/** The file the Functions host loads: the app's package.json `main` (one file; the host also takes globs, we don't). */
export function appEntry(appDir: string): string {
  let main: unknown;
  try {
    main = (JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main?: unknown }).main;
  } catch {
    throw new Error(`no app in ${appDir}: run \`npm run build:deploy\` first`);
  }
  if (typeof main !== 'string' || main.includes('*')) throw new Error(`${appDir}/package.json: main must name one file`);
  return join(appDir, main);
}

/**
 * Loads the app as the Functions host does, through package.json `main`, and collects the
 * function definitions its entry exports. Outside the host `app.http()` only prints a "test mode"
 * warning per function; those lines are expected here and kept out of the console.
 */
export async function loadFunctionDefinitions(appDir: string = defaultAppDir()): Promise<FunctionDefinition[]> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && TEST_MODE_WARNING.test(args[0])) return;
    warn(...args);
  };
  try {
    const exports = (await import(pathToFileURL(appEntry(appDir)).href)) as Record<string, unknown>;
    return Object.values(exports).filter(isFunctionDefinition);
  } finally {
    console.warn = warn;
  }
}
