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

/** Azurite keeping its data on disk: it can be stopped (an outage) and started again on the same ports with the same data. */
export interface DiskAzurite extends Azurite {
  /**
   * Stops the process the orderly way (SIGTERM): storage is unreachable until {@link resume}, and what
   * it acknowledged is kept, as Azure Storage keeps it. SIGKILL would lose Azurite's last few seconds of
   * writes (it saves to disk every 5 s), an outage Azure never has.
   */
  pause(): Promise<void>;
  resume(): Promise<void>;
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

type Ports = readonly [blob: number, queue: number, table: number];

async function spawnAzurite(ports: Ports, workdir: string, onDisk: boolean): Promise<ChildProcess> {
  const [blob, queue, table] = ports;
  const bin = require.resolve('azurite/dist/src/azurite.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--silent',
      ...(onDisk ? ['--location', workdir] : ['--inMemoryPersistence']),
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
    // In memory, the working folder only catches any debug files; on disk it holds the data.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: workdir },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const deadline = Date.now() + 20_000;
    for (const port of ports) await waitForPort(port, deadline);
  } catch (error) {
    child.kill();
    throw new Error(`${(error as Error).message}: ${stderr.slice(0, 500)}`);
  }
  return child;
}

/** Sends `signal` and resolves on exit; a process still running after 15 s is killed. */
function exit(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const stubborn = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(stubborn);
      resolve();
    });
    child.kill(signal);
  });
}

function connectionStringOf([blob, queue, table]: Ports): string {
  const host = (port: number) => `http://127.0.0.1:${port}/${ACCOUNT}`;
  return `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${host(blob)};QueueEndpoint=${host(queue)};TableEndpoint=${host(table)};`;
}

/**
 * Starts Azurite from node_modules on free loopback ports, in memory, for one test file.
 * The real Azure Storage emulator: tables and queues speak the same REST API as Azure.
 */
export async function startAzurite(): Promise<Azurite> {
  const ports: Ports = [await freePort(), await freePort(), await freePort()];
  const workdir = mkdtempSync(join(tmpdir(), 'azurite-'));
  const child = await spawnAzurite(ports, workdir, false);
  return {
    connectionString: connectionStringOf(ports),
    stop: async () => {
      await exit(child, 'SIGTERM');
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

/** Azurite with its data in a temporary folder (`--location`), for outage tests: pause() and resume() keep ports and data. */
export async function startDiskAzurite(): Promise<DiskAzurite> {
  const ports: Ports = [await freePort(), await freePort(), await freePort()];
  const workdir = mkdtempSync(join(tmpdir(), 'azurite-disk-'));
  let child: ChildProcess | undefined = await spawnAzurite(ports, workdir, true);
  return {
    connectionString: connectionStringOf(ports),
    pause: async () => {
      if (child) await exit(child, 'SIGTERM');
      child = undefined;
    },
    resume: async () => {
      child ??= await spawnAzurite(ports, workdir, true);
    },
    stop: async () => {
      if (child) await exit(child, 'SIGTERM');
      child = undefined;
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}
