import { join } from 'node:path';

import { type FakeConnector, startFakeConnector } from '../../dev/fake-connector';
import { type GenieEmulator, type GenieEmulatorOptions, startGenieEmulator } from '../../dev/genie-emulator';
import { type DevHost, startDevHost } from '../../dev/host';
import { restoreEnv, TEST_ENV, useEnv } from './env';

/** The project root, whose package.json `main` is the unbundled build (dist/functions/index.js). */
export const UNBUNDLED_APP = join(__dirname, '..', '..', '..');

/** The app as Teams would reach it: the dev host on loopback, Genie emulated, a recording connector. */
export interface BotHarness {
  readonly genie: GenieEmulator;
  readonly connector: FakeConnector;
  readonly host: DevHost;
  /** POSTs an activity to /api/messages. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * `appDir`: the build to serve, deploy/ (what ships) by default. A test that swaps parts of the app
 * in process (useBotAppOverrides) serves the unbundled build of the same sources instead
 * ({@link UNBUNDLED_APP}): only that build shares this process's modules.
 */
export async function startBotHarness(
  env: Readonly<Record<string, string | undefined>> = {},
  emulator: GenieEmulatorOptions = { demo: false },
  appDir?: string,
): Promise<BotHarness> {
  const genie = await startGenieEmulator(emulator);
  const connector = await startFakeConnector();
  useEnv({
    ...TEST_ENV,
    DATABRICKS_HOST: genie.url,
    GENIE_SPACE_ID: genie.spaceId,
    DATABRICKS_TOKEN: genie.token,
    STATUS_MESSAGE_DELAY_SECONDS: '0',
    // Per-user mode: the fake connector is the token service too.
    ...(env.GENIE_IDENTITY === 'user' ? { OAuthUrl: connector.url } : {}),
    ...env,
  });
  const host = await startDevHost({ port: 0, log: () => undefined, ...(appDir ? { appDir } : {}) });
  return {
    genie,
    connector,
    host,
    post: (activity, headers = {}) =>
      fetch(`${host.url}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(activity),
      }),
    close: async () => {
      await host.close();
      await Promise.all([connector.close(), genie.close()]);
      restoreEnv();
    },
  };
}
