import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { startGenieEmulator } from './server';
import type { GenieEmulatorOptions } from './types';
import { parseScriptEntries } from './validate';

const USAGE = `Usage: node dist/dev/genie-emulator/cli.js [options]
  --port N            port on 127.0.0.1 (default 8089; 0 = any free port)
  --time-scale X      multiply every scripted latency (default 1; 0.1 = ten times faster)
  --scenarios FILE    JSON array of {match, regex?, flags?, answer} scripts, added after the demo
  --rate-limit N      question POSTs allowed per sliding minute (default: no limit)
  --token T           the bearer token to accept (default emulator-token)
  --oauth-client ID:SECRET   enable POST /oidc/v1/token for this client
  --no-demo           leave out the demo sales data set
  --no-gzip           never gzip responses`;

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${value}`);
  return n;
}

/** `node dist/dev/genie-emulator/cli.js`: the emulator as its own process, until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8089' },
      'time-scale': { type: 'string' },
      scenarios: { type: 'string' },
      'rate-limit': { type: 'string' },
      token: { type: 'string' },
      'oauth-client': { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'no-gzip': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const oauth = values['oauth-client']?.split(':');
  const timeScale = numberOption(values['time-scale'], 'time-scale');
  const rateLimit = numberOption(values['rate-limit'], 'rate-limit');
  const options: GenieEmulatorOptions = {
    port: numberOption(values.port, 'port') ?? 8089,
    demo: !values['no-demo'],
    gzip: !values['no-gzip'],
    ...(timeScale !== undefined ? { timeScale } : {}),
    ...(rateLimit !== undefined ? { rateLimitPerMinute: rateLimit } : {}),
    ...(values.token !== undefined ? { tokens: [values.token] } : {}),
    ...(oauth?.[0] && oauth[1] ? { oauthClients: [{ clientId: oauth[0], clientSecret: oauth.slice(1).join(':') }] } : {}),
  };
  const scripts =
    values.scenarios === undefined
      ? []
      : parseScriptEntries(JSON.parse(readFileSync(values.scenarios, 'utf8')) as unknown, values.scenarios);

  const emulator = await startGenieEmulator(options);
  for (const entry of scripts) emulator.script(entry.match, entry.answer);
  console.log(`[genie-emulator] listening on ${emulator.url}${scripts.length ? ` with ${scripts.length} scripted question(s)` : ''}`);
  console.log(`DATABRICKS_HOST=${emulator.url}`);
  console.log(`GENIE_SPACE_ID=${emulator.spaceId}`);
  const [, ...more] = emulator.spaceIds;
  // The demo spaces under the aliases `npm run dev` gives them.
  if (more.length)
    console.log(`GENIE_SPACES=sales=${emulator.spaceId};${more.map((id, i) => `${i ? `ops${i + 1}` : 'ops'}=${id}`).join(';')}`);
  console.log(`DATABRICKS_TOKEN=${emulator.token}`);
  console.log(`[genie-emulator] admin API: ${emulator.url}/_emulator/stats (Ctrl+C to stop)`);

  const stop = (): void => {
    const { requests } = emulator.stats();
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    void emulator.close().then(() => {
      console.log(`[genie-emulator] stopped after ${total} request(s)`);
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[genie-emulator] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
