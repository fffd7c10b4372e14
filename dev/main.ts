import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

import { reloadConfig } from '../shared/config';
import { ensureAzurite } from './azurite';
import { type FakeConnector, startFakeConnector } from './fake-connector';
import { FAKE_CONNECTION_NAME } from './fake-token-service';
import { DEMO_OPS_SPACE_ID, DEMO_QUESTIONS, type EmulatorUser, type GenieEmulator, startGenieEmulator } from './genie-emulator';
import { startDevHost } from './host';
import { applyLocalSettings } from './local-settings';
import { type QueuePoller, startQueuePoller } from './queue-poller';

const log = (line: string): void => console.log(line);

/** `GENIE_IDENTITY=user` on the emulator: two demo people, each seeing only their region's rows. */
const DEMO_USERS: readonly EmulatorUser[] = [
  { token: 'demo-user-north-america', name: 'north-america', rowFilter: { column: 'region', equals: 'North America' } },
  { token: 'demo-user-emea', name: 'emea', rowFilter: { column: 'region', equals: 'EMEA' } },
];

/**
 * The token service for user mode: the first two people who ask become the two demo users (in
 * turn), signed in without a sign-in page; a third has no token and gets the sign-in card.
 */
async function startDemoTokenService(): Promise<FakeConnector> {
  const assigned = new Map<string, string>();
  return startFakeConnector({
    keep: false,
    tokens: {
      autoSignIn: (userId) => {
        const token = assigned.get(userId) ?? DEMO_USERS[assigned.size]?.token;
        if (token !== undefined) assigned.set(userId, token);
        return token;
      },
    },
  });
}

/**
 * `npm run dev`: the app on 127.0.0.1 without Azure Functions Core Tools. A development tool only.
 * Without DATABRICKS_HOST it starts the Genie emulator with its demo data; with
 * AzureWebJobsStorage=UseDevelopmentStorage=true it uses (or starts) Azurite.
 */
async function main(): Promise<void> {
  const root = join(__dirname, '..', '..');
  const env = process.env;
  const applied = applyLocalSettings(join(root, 'local.settings.json'));
  if (applied.length) log(`[dev] read ${applied.length} settings from local.settings.json`);
  // In one local process the answer worker runs in-process unless told otherwise (Azure uses the queue).
  if (!env.ANSWER_DISPATCH?.trim()) env.ANSWER_DISPATCH = 'inline';

  let emulator: GenieEmulator | undefined;
  let tokenService: FakeConnector | undefined;
  const userMode = env.GENIE_IDENTITY?.trim() === 'user';
  if (!env.DATABRICKS_HOST?.trim()) {
    emulator = await startGenieEmulator({
      port: Number(env.GENIE_EMULATOR_PORT ?? 0),
      timeScale: Number(env.GENIE_EMULATOR_TIME_SCALE ?? 1),
      ...(userMode ? { users: DEMO_USERS } : {}),
    });
    env.DATABRICKS_HOST = emulator.url;
    env.GENIE_SPACE_ID = emulator.spaceId;
    env.DATABRICKS_TOKEN = emulator.token;
    for (const name of ['DATABRICKS_AUTH_TYPE', 'DATABRICKS_CLIENT_ID', 'DATABRICKS_CLIENT_SECRET', 'ARM_CLIENT_SECRET', 'ARM_USE_MSI'])
      delete env[name];
    if (!env.SAMPLE_QUESTIONS?.trim()) env.SAMPLE_QUESTIONS = DEMO_QUESTIONS.join(';');
    // Two spaces with different data, so `spaces` and `use ops` show switching.
    if (!env.GENIE_SPACES?.trim()) {
      env.GENIE_SPACES = `sales=${emulator.spaceId};ops=${DEMO_OPS_SPACE_ID}`;
      log('[dev] two demo spaces, sales (the default) and ops: type `spaces` or `use ops` in the chat to switch');
    }
    log(`[dev] no DATABRICKS_HOST: Genie emulator with demo data on ${emulator.url} (admin: ${emulator.url}/_emulator/stats)`);
    if (userMode && !env.OAuthUrl?.trim()) {
      tokenService = await startDemoTokenService();
      env.OAuthUrl = tokenService.url;
      env.OAUTH_CONNECTION_NAME ||= FAKE_CONNECTION_NAME;
      log(`[dev] GENIE_IDENTITY=user: token service on ${tokenService.url}; the first two people to ask see only North America, then EMEA`);
    }
  }

  let azurite: ChildProcess | undefined;
  if (/^UseDevelopmentStorage=true/i.test(env.AzureWebJobsStorage ?? '')) azurite = await ensureAzurite(log);

  const config = reloadConfig();
  // DEV_APP_DIR serves another build (the benchmarks compare the unbundled one: the project root).
  const host = await startDevHost({
    port: Number(env.PORT ?? 7071),
    runTimers: true,
    ...(env.DEV_APP_DIR ? { appDir: env.DEV_APP_DIR } : {}),
  });
  const pollers: QueuePoller[] = [];
  if (config.ok && config.config.answers.dispatch === 'queue' && config.config.storage?.kind === 'connectionString') {
    for (const definition of host.definitions) {
      if (definition.kind === 'queue') pollers.push(startQueuePoller(config.config.storage.connectionString, definition, log));
    }
    log(`[dev] queue mode: polling ${pollers.length} queue(s) like the Functions host`);
  }
  for (const d of host.definitions) {
    if (d.kind === 'http') log(`[dev] ${d.name}: ${d.methods.join(',')} ${host.url}/api/${d.route}`);
  }
  if (!config.ok) log(`[dev] configuration incomplete: ${config.problems.map((p) => `${p.setting} (${p.kind})`).join(', ')}`);
  log(`[dev] ready on ${host.url} (Ctrl+C to stop)`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      await host.close();
      await emulator?.close();
      await tokenService?.close();
      azurite?.kill();
      process.exit(0);
    })();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[dev] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
