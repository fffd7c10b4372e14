/**
 * The Playground process: `agentsplayground` in its own process group and temp dir, ready when it
 * listens and answers its ping; stopped (and swept) on stop(), on our exit, or when our stdin closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { httpGetText } from './http';

export interface PlaygroundOptions {
  /** The bot's messages endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly botEndpoint: string;
  /** @default 0: a free port chosen here */
  readonly port?: number;
  /** @default 'msteams' */
  readonly channel?: 'msteams' | 'webchat' | 'emulator' | 'directline' | 'agents';
  /** Fixed personal-chat conversation id. @default a random one, new at each start */
  readonly conversationId?: string;
  /** A `.m365agentsplayground.yml` to use instead of the built-in mock tenant. @default built-in */
  readonly configFile?: string;
  /** @default 30_000 */
  readonly readyTimeoutMs?: number;
  /** Keep the work dir (log file) after stop, for debugging. @default false */
  readonly keepFiles?: boolean;
  /** Receives the child's stdout/stderr lines. @default dropped */
  readonly log?: (line: string) => void;
}

export interface Playground {
  /** `http://localhost:<port>`: open this in the browser. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The Playground's own log file (console output and buffered UI log items). */
  readonly logFile: string;
  /** The mock connector the bot replies to (the `serviceUrl` of every activity). */
  readonly serviceUrl: string;
  /** SIGTERM to the process group, SIGKILL after 5 s; idempotent. */
  stop(): Promise<void>;
}

const CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Last resort if the test process ends without calling stop(): synchronous, so it runs on 'exit'. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    // ESRCH: the group is already gone, which is what we want.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts `agentsplayground` as its own process group in a fresh temp dir (left alone it writes
 * `./devTools/m365agentsplayground.log` and reads `./.m365agentsplayground.yml` relative to its
 * cwd), waits for "Listening on <port>" on stdout and a `GET /_debug/ping` → `pong`.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
  const workDir = mkdtempSync(join(tmpdir(), 'e2e-playground-'));
  const logFile = join(workDir, 'playground.log');
  const requestedPort = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  const args = [CLI, '-e', options.botEndpoint, '-c', options.channel ?? 'msteams', '--dt', '-p', String(requestedPort)];
  if (options.conversationId !== undefined) args.push('--conversation-id', options.conversationId);

  const env: NodeJS.ProcessEnv = { ...process.env };
  // None of these may leak in from the caller: each changes what the Playground does.
  for (const name of [
    'M365_AGENTS_PLAYGROUND_CONFIG_PATH',
    'TEAMS_APP_TEST_TOOL_CONFIG_PATH',
    'M365_AGENTS_PLAYGROUND_LOGFILE',
    'TEAMSAPPTESTER_LOGFILE',
  ]) {
    delete env[name];
  }
  env.TEAMSAPPTESTER_BROWSER = 'none'; // otherwise it runs `open`/xdg-open on the URL
  env.M365_AGENTS_PLAYGROUND_LOGFILE = logFile;
  env.NO_PROXY = ['localhost', '127.0.0.1', '::1', env.NO_PROXY].filter(Boolean).join(',');
  if (options.configFile !== undefined) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = options.configFile;

  const log = options.log ?? (() => undefined);
  // A watchdog preloaded into the CLI: when this process dies, however (even SIGKILL), the stdin
  // pipe closes and the Playground exits with it.
  const watchdog = join(workDir, 'exit-with-parent.js');
  writeFileSync(
    watchdog,
    "process.stdin.on('end', () => process.exit(0));\nprocess.stdin.on('error', () => process.exit(0));\nprocess.stdin.resume();\n",
  );
  const child = spawn(process.execPath, ['--require', watchdog, ...args], {
    cwd: workDir,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Do not let the child keep this process alive: a forgotten stop() ends with us (see the watchdog).
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  const pid = child.pid;
  if (pid === undefined) throw new Error('agentsplayground: spawn failed');
  liveGroups.add(pid);
  installExitHook();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(pid, 'SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      killGroup(pid, 'SIGKILL');
      await waitForExit(child, 5_000);
    }
    // The CLI is a single node process today; sweep the group anyway in case that changes.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
    if (!options.keepFiles) rmSync(workDir, { recursive: true, force: true });
  };

  let output = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output += text;
    for (const line of text.split('\n')) if (line.trim() !== '') log(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  try {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`agentsplayground not listening after ${timeoutMs} ms; output: ${output.slice(-500)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const match = /Listening on (\d+)/.exec(output);
        if (match?.[1] === undefined) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      };
      child.stdout?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`agentsplayground exited early (${code ?? signal}); output: ${output.slice(-500)}`));
      });
      check();
    });
    // It silently falls back to a random port when the requested one is taken: say so.
    if (port !== requestedPort) log(`agentsplayground: asked for port ${requestedPort}, got ${port}`);
    const url = `http://localhost:${port}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ping = await httpGetText(`http://127.0.0.1:${port}/_debug/ping`, 2_000).catch(() => undefined);
      if (ping?.status === 200 && ping.body === 'pong') break;
      if (Date.now() > deadline) throw new Error('agentsplayground: /_debug/ping never answered pong');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url, port, pid, logFile, serviceUrl: `${url}/_connector`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
