import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { type FunctionDefinition, isFunctionDefinition } from '../shared/hosting';

const TEST_MODE_WARNING = /^WARNING: (Skipping call to register|Failed to detect the Azure Functions runtime)/;

/**
 * Loads every compiled function file, as the Functions host does with package.json `main`, and
 * collects the definitions they export. Outside the host `app.http()` only prints a "test mode"
 * warning per function; those lines are expected here and kept out of the console.
 */
export function loadFunctionDefinitions(directory: string): FunctionDefinition[] {
  const definitions: FunctionDefinition[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && TEST_MODE_WARNING.test(args[0])) return;
    warn(...args);
  };
  try {
    for (const file of readdirSync(directory).filter((f) => f.endsWith('.js')).sort()) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the host loads these files the same way
      const exports = require(join(directory, file)) as Record<string, unknown>;
      definitions.push(...Object.values(exports).filter(isFunctionDefinition));
    }
  } finally {
    console.warn = warn;
  }
  return definitions;
}
