import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ACCOUNT = 'devstoreaccount1';
/** Azurite's well-known development key (public, documented; not a secret). */
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly connectionString: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Azurite did not open port ${port}`);
}

/**
 * Starts Azurite from node_modules on free loopback ports, in memory, for one test file.
 * The real Azure Storage emulator: tables and queues speak the same REST API as Azure.
 */
export async function startAzurite(): Promise<Azurite> {
  const [blob, queue, table] = [await freePort(), await freePort(), await freePort()];
  const workdir = mkdtempSync(join(tmpdir(), 'azurite-'));
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--silent',
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableProductStyleUrl',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blob),
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      String(queue),
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(table),
    ],
    // In memory; the working folder only catches any debug files.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: workdir },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const deadline = Date.now() + 20_000;
    for (const port of [blob, queue, table]) await waitForPort(port, deadline);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}: ${stderr.slice(0, 500)}`);
  }
  const host = (port: number) => `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${host(blob)};QueueEndpoint=${host(queue)};TableEndpoint=${host(table)};`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(workdir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
