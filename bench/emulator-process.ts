import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { ROOT } from './lib';

export interface EmulatorProcess {
  readonly url: string;
  readonly spaceId: string;
  readonly token: string;
  /** POST /_emulator/scripts */
  script(match: string, answer: unknown, regex?: boolean): Promise<void>;
  stats(): Promise<{ stats: { requests: Record<string, number>; connections: number; bytesSent: number } }>;
  stop(): Promise<void>;
}

/**
 * The Genie emulator in its own process, so its bookkeeping of thousands of messages does not
 * count against the memory, CPU or event loop of the process being measured.
 */
export async function spawnEmulator(args: string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'dev', 'genie-emulator', 'cli.js'), '--port', '0', '--no-demo', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const values = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = Object.fromEntries(
        [...output.matchAll(/^(DATABRICKS_HOST|GENIE_SPACE_ID|DATABRICKS_TOKEN)=(.+)$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
      );
      if (found.DATABRICKS_HOST && found.GENIE_SPACE_ID && found.DATABRICKS_TOKEN) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${output}`)));
  });
  const url = values.DATABRICKS_HOST!;
  const admin = async (path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(
      `${url}/_emulator/${path}`,
      body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    );
    return response.json();
  };
  return {
    url,
    spaceId: values.GENIE_SPACE_ID!,
    token: values.DATABRICKS_TOKEN!,
    script: async (match, answer, regex) => void (await admin('scripts', { match, answer, ...(regex ? { regex: true } : {}) })),
    stats: () => admin('stats') as Promise<{ stats: { requests: Record<string, number>; connections: number; bytesSent: number } }>,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface ConnectorProcess {
  readonly url: string;
  /** Card messages received so far. */
  cards(): Promise<number>;
  stop(): Promise<void>;
}

/** The fake connector in its own process, counting only (nothing kept, nothing to grow). */
export async function spawnConnector(): Promise<ConnectorProcess> {
  const script = `
    const { createServer } = require('node:http');
    const { startFakeConnector } = require(${JSON.stringify(join(ROOT, 'dist', 'dev', 'fake-connector.js'))});
    startFakeConnector({ keep: false }).then((connector) => {
      const stats = createServer((req, res) => res.end(JSON.stringify({ cards: connector.cards() })));
      stats.listen(0, '127.0.0.1', () => console.log('URL=' + connector.url + ' STATS=' + stats.address().port));
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [url, statsPort] = await new Promise<[string, string]>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /URL=(\S+) STATS=(\d+)/.exec(output);
      if (match) resolve([match[1]!, match[2]!]);
    });
    child.once('exit', (code) => reject(new Error(`connector exited (${code})`)));
  });
  return {
    url,
    cards: async () => ((await (await fetch(`http://127.0.0.1:${statsPort}/`)).json()) as { cards: number }).cards,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
