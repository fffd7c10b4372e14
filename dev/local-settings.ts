import { existsSync, readFileSync } from 'node:fs';

/**
 * Copies `Values` from a local.settings.json into `env` the way `func start` does: settings
 * already in the environment win. Returns the names it set (never the values).
 */
export function applyLocalSettings(file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const applied: string[] = [];
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (env[name] === undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      env[name] = String(value);
      applied.push(name);
    }
  }
  return applied;
}
