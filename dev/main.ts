import { join } from 'node:path';

import { reloadConfig } from '../shared/config';
import { startDevHost } from './host';
import { applyLocalSettings } from './local-settings';

/** `npm run dev`: the app on 127.0.0.1 without Azure Functions Core Tools. A development tool only. */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const applied = applyLocalSettings(join(root, 'local.settings.json'));
  if (applied.length) console.log(`[dev] read ${applied.length} settings from local.settings.json`);
  // In one local process the answer worker runs in-process unless told otherwise (Azure uses the queue).
  process.env.ANSWER_DISPATCH ??= 'inline';

  const config = reloadConfig();
  const host = await startDevHost({ port: Number(process.env.PORT ?? 7071) });
  for (const d of host.definitions) {
    if (d.kind === 'http') console.log(`[dev] ${d.name}: ${d.methods.join(',')} ${host.url}/api/${d.route}`);
  }
  if (!config.ok) {
    console.log(`[dev] configuration incomplete: ${config.problems.map((p) => `${p.setting} (${p.kind})`).join(', ')}`);
  }
  console.log(`[dev] ready on ${host.url} (Ctrl+C to stop)`);

  const stop = (): void => {
    void host.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[dev] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
