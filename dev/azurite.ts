import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';

/** Ports `UseDevelopmentStorage=true` points at. */
const PORTS = { blob: 10000, queue: 10001, table: 10002 };

function isOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * For `AzureWebJobsStorage=UseDevelopmentStorage=true`: uses a running Azurite, or starts one from
 * node_modules (in memory, loopback) for as long as the dev host runs.
 */
export async function ensureAzurite(log: (line: string) => void): Promise<ChildProcess | undefined> {
  if ((await isOpen(PORTS.queue)) && (await isOpen(PORTS.table))) return undefined;
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const child = spawn(
    process.execPath,
    [
      bin,
      '--silent',
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--blobHost',
      '127.0.0.1',
      '--queueHost',
      '127.0.0.1',
      '--tableHost',
      '127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if ((await isOpen(PORTS.queue)) && (await isOpen(PORTS.table))) {
      log(`[dev] started Azurite (pid ${child.pid}) on 127.0.0.1:${PORTS.blob}-${PORTS.table}, in memory`);
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error('Azurite did not start on ports 10000-10002');
}
