import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `npm test`'s runner: every compiled `*.test.js` under this folder, through `node --test`. Node 20
 * takes a folder but no glob; Node 22 and 24 take globs but no folder: listing files works on all.
 */
function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const files = testFiles(__dirname)
  .map((f) => relative(process.cwd(), f))
  .sort();
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
