/**
 * Drives the Microsoft 365 Agents Playground (npm `@microsoft/m365agentsplayground`) with headless
 * Chromium through playwright-core. Findings behind every selector and wait: docs/e2e-notes.md.
 *
 * Typical use:
 *   const pg = await startPlayground({ botEndpoint: 'http://127.0.0.1:3978/api/messages' });
 *   const b = await openBrowser();
 *   await openPlayground(b.page, pg.url);
 *   await openPersonalChat(b.page);
 *   const before = await messageCount(b.page);
 *   await sendMessage(b.page, 'hello');
 *   await waitForBotMessage(b.page, /Echo/, { after: before });
 *   ... finally: await b.close(); await pg.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, chromium, type Locator, type Page, type Route } from 'playwright-core';

// ---------------------------------------------------------------------------------------------
// The Playground process
// ---------------------------------------------------------------------------------------------

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

function httpGetText(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

function httpPostJson(url: string, body: unknown, timeoutMs = 5_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
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

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

export interface BrowserOptions {
  /** @default process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' */
  readonly executablePath?: string;
  /** @default true */
  readonly headless?: boolean;
  /** @default { width: 1400, height: 1000 }: wide enough for chat pane and log panel */
  readonly viewport?: { readonly width: number; readonly height: number };
  /**
   * Make imBack/messageBack buttons behave as in Teams (see docs/e2e-notes.md: Playground 0.2.28
   * throws on any Action.Submit whose data has `msteams`, and has no imBack/messageBack semantics).
   * @default true
   */
  readonly teamsCardActions?: boolean;
  /** The bot's display name in the Playground's mock config. @default 'Test Bot' */
  readonly botName?: string;
  /**
   * Hold the bot's activities (websocket) while a user message is being posted, until the page has
   * handled the post's HTTP answer. Without it a fast reply to a new channel post is sometimes
   * dropped from the thread (about 1 in 40 here): the UI creates the post with an empty reply list
   * after the reply arrived. @default true
   */
  readonly orderedDelivery?: boolean;
}

export interface E2EBrowser {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught errors in the page (the Playground swallows none of them into its UI). */
  readonly pageErrors: readonly string[];
  /** Requests to anything but loopback, all aborted. */
  readonly blockedRequests: readonly string[];
  close(): Promise<void>;
}

/** What clicking a card button did, as seen on the wire between page and Playground server. */
export type CardActionResult =
  | { readonly kind: 'toggle' }
  | { readonly kind: 'none' }
  | { readonly kind: 'submit'; readonly value: unknown }
  | { readonly kind: 'invoke'; readonly name: string; readonly value: unknown }
  | { readonly kind: 'imBack'; readonly text: string }
  | { readonly kind: 'messageBack'; readonly text: string; readonly displayText?: string; readonly value: unknown };

interface PageState {
  readonly botName: string;
  readonly actions: CardActionResult[];
  readonly waiters: Set<() => void>;
  readonly pageErrors: string[];
}

const pageStates = new WeakMap<Page, PageState>();

function stateOf(page: Page): PageState {
  const state = pageStates.get(page);
  if (state === undefined) throw new Error('page was not opened with openBrowser()');
  return state;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function isLoopback(url: string): boolean {
  if (!/^(https?|wss?):/.test(url)) return true; // data:, blob:, about:
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** PIDs of processes whose command line names our user-data dir: only our own Chromium. */
function pidsUsing(userDataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(`--user-data-dir=${userDataDir}`)) pids.push(Number(entry));
    } catch {
      // The process ended between readdir and read.
      continue;
    }
  }
  return pids;
}

/** Headless Chromium from Debian with a fresh temp profile; only loopback traffic gets through. */
export async function openBrowser(options: BrowserOptions = {}): Promise<E2EBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
  const state: PageState = { botName: options.botName ?? 'Test Bot', actions: [], waiters: new Set(), pageErrors: [] };
  const blockedRequests: string[] = [];
  let context: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    if (context !== undefined) {
      const ctx = context;
      context = undefined;
      await Promise.race([ctx.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(() => undefined);
    }
    for (const pid of pidsUsing(userDataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        continue; // already gone
      }
    }
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: options.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: options.headless ?? true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 1000 },
      timeout: 30_000,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    pageStates.set(page, state);
    // The UI asks a CDN for Segoe UI fonts: refuse, so nothing leaves the machine and nothing waits on it.
    await context.route(
      (url) => !isLoopback(url.href),
      (route) => {
        blockedRequests.push(route.request().url());
        return route.abort('blockedbyclient');
      },
    );
    page.on('pageerror', (error) => state.pageErrors.push(error.message));
    await page.addInitScript(installPageLib, { freezePatch: options.teamsCardActions ?? true });
    if (options.orderedDelivery ?? true) await orderDelivery(page);
    await page.route('**/_conversation/v1/submit', (route) => onSubmit(route, state, options.teamsCardActions ?? true));
    await page.route('**/_conversation/v1/invoke', (route) => onInvoke(route, state));
    return { page, context, pageErrors: state.pageErrors, blockedRequests, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function orderDelivery(page: Page): Promise<void> {
  let holds = 0;
  const queue: (() => void)[] = [];
  const release = (): void => {
    holds--;
    if (holds === 0) for (const send of queue.splice(0)) send();
  };
  await page.routeWebSocket(/\/_ws_conversation\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (holds > 0) queue.push(() => ws.send(message));
      else ws.send(message);
    });
  });
  await page.route('**/_conversation/v1/conversations/*/messages', async (route) => {
    holds++;
    try {
      const response = await route.fetch().catch(() => undefined);
      if (response === undefined) {
        await route.abort('failed');
        return;
      }
      await route.fulfill({ response });
      // One task later the page has run the answer's handlers (the post now exists in its store).
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0))).catch(() => undefined);
    } finally {
      release();
    }
  });
}

function record(state: PageState, action: CardActionResult): void {
  state.actions.push(action);
  for (const wake of state.waiters) wake();
}

interface SubmitBody {
  conversation?: { id?: string };
  replyToId?: string;
  from?: { id?: string };
  value?: Record<string, unknown>;
}

interface TeamsSubmitData {
  type?: string;
  value?: unknown;
  text?: string;
  displayText?: string;
}

async function onSubmit(route: Route, state: PageState, teams: boolean): Promise<void> {
  const body = (route.request().postDataJSON() ?? {}) as SubmitBody;
  const value = body.value ?? {};
  const msteams = (value.msteams ?? value.msTeams) as TeamsSubmitData | undefined;
  if (!teams || msteams === undefined || (msteams.type !== 'imBack' && msteams.type !== 'messageBack')) {
    record(state, { kind: 'submit', value });
    await route.continue();
    return;
  }
  // Teams never sends these as a value-only submit: drop the Playground's request and do what Teams does.
  await route.fulfill({ status: 200, body: '' });
  if (msteams.type === 'imBack') {
    record(state, { kind: 'imBack', text: typeof msteams.value === 'string' ? msteams.value : JSON.stringify(msteams.value) });
    return;
  }
  // messageBack: text and value reach the bot; the rest of `data` is merged under the value, like Teams.
  const { msteams: _a, msTeams: _b, ...rest } = value;
  const parsed: unknown = typeof msteams.value === 'string' ? safeJson(msteams.value) : msteams.value;
  const merged = typeof parsed === 'object' && parsed !== null ? { ...rest, ...(parsed as Record<string, unknown>) } : { ...rest };
  const text = msteams.text ?? '';
  const origin = new URL(route.request().url()).origin;
  const conversationId = body.conversation?.id ?? '';
  const template = await httpGetText(
    `${origin}/_internal/v1/customActivities/template?conversationId=${encodeURIComponent(conversationId)}`,
    5_000,
  );
  const activity = {
    ...(JSON.parse(template.body) as Record<string, unknown>),
    type: 'message',
    text,
    value: merged,
    replyToId: body.replyToId,
  };
  const status = await httpPostJson(`${origin}/_internal/v1/customActivities`, activity);
  if (status !== 200) state.pageErrors.push(`messageBack emulation: customActivities answered ${status}`);
  record(state, { kind: 'messageBack', text, displayText: msteams.displayText, value: merged });
}

async function onInvoke(route: Route, state: PageState): Promise<void> {
  const body = (route.request().postDataJSON() ?? {}) as { name?: string; value?: unknown };
  record(state, { kind: 'invoke', name: body.name ?? '', value: body.value });
  await route.continue();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// In-page helpers (installed with addInitScript; serialised, so self-contained and untyped DOM)
// ---------------------------------------------------------------------------------------------

/** A message in the personal or group chat view. */
export interface ChatMessage {
  /** Position among all messages (user and bot) of the open chat. */
  readonly index: number;
  readonly from: 'user' | 'bot';
  /** The author shown above bot messages; null for the user's own. */
  readonly author: string | null;
  /** Visible text of the body, cards included (innerText). */
  readonly text: string;
  /** Adaptive Cards in the message. */
  readonly cards: number;
  /** The Playground's warnings under the message (e.g. "Full width control is not supported"). */
  readonly notes: string;
}

/** A post in the Teams channel view, with its thread. */
export interface ChannelPost {
  readonly index: number;
  readonly author: string;
  readonly text: string;
  readonly replies: readonly ThreadReply[];
}

export interface ThreadReply {
  readonly index: number;
  readonly author: string;
  readonly text: string;
  readonly cards: number;
}

interface MiniElement {
  readonly children: ArrayLike<MiniElement>;
  readonly parentElement: MiniElement | null;
  readonly nextElementSibling: MiniElement | null;
  readonly innerText?: string;
  readonly textContent: string | null;
  querySelector(selector: string): MiniElement | null;
  querySelectorAll(selector: string): ArrayLike<MiniElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  closest(selector: string): MiniElement | null;
  contains(other: MiniElement): boolean;
}

interface PageLib {
  readChat(): ChatMessage[];
  readChannel(): ChannelPost[];
  readLog(): string[];
  botTyping(botName: string): boolean;
  markChatPane(): boolean;
}

interface PageGlobals {
  document: MiniElement & { body: MiniElement };
  __e2e?: PageLib;
}

function installPageLib(options: { freezePatch: boolean }): void {
  const g = globalThis as unknown as PageGlobals & { Object: ObjectConstructor };
  if (options.freezePatch) {
    // The app deep-freezes card JSON (immer); its card renderer then writes into the submit data
    // (`msTeams`) and its `msteams` object (`type`) and throws. Leave exactly those objects unfrozen.
    const freeze = Object.freeze.bind(Object);
    const teamsTypes = ['imBack', 'messageBack', 'invoke', 'signin', 'task/fetch'];
    const has = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
    g.Object.freeze = <T>(o: T): T => {
      if (typeof o !== 'object' || o === null) return freeze(o);
      const type = (o as { type?: unknown }).type;
      const teamsData = has(o, 'msteams') || has(o, 'msTeams') || (typeof type === 'string' && teamsTypes.includes(type));
      return teamsData ? o : freeze(o);
    };
  }
  const textOf = (el: MiniElement | null | undefined): string =>
    el === null || el === undefined ? '' : (el.innerText ?? el.textContent ?? '').replace(/\s+\n/g, '\n').trim();
  const arr = (list: ArrayLike<MiniElement>): MiniElement[] => Array.prototype.slice.call(list) as MiniElement[];
  const readChat = (): ChatMessage[] => {
    const headers = arr(g.document.querySelectorAll('[aria-label="Message header"]'));
    const out: ChatMessage[] = [];
    for (const header of headers) {
      const container = header.parentElement;
      if (container === null) continue;
      const author = header.querySelector('[aria-label="Message author"]');
      const body = container.children[1];
      const rest = arr(container.children).slice(2);
      out.push({
        index: out.length,
        from: author === null ? 'user' : 'bot',
        author: author === null ? null : textOf(author),
        text: textOf(body),
        cards: body === undefined ? 0 : body.querySelectorAll('.ac-adaptiveCard').length,
        notes: rest.map((r) => textOf(r)).join('\n').trim(),
      });
    }
    return out;
  };
  const readChannel = (): ChannelPost[] => {
    const posts = arr(g.document.querySelectorAll('.fui-Card[role="group"]')).filter(
      (card) => card.querySelector('.fui-CardFooter [aria-label="Send Message"]') !== null,
    );
    return posts.map((post, index) => {
      const header = post.querySelector('.fui-CardHeader');
      const footer = post.querySelector('.fui-CardFooter');
      const headerName = header === null ? '' : textOf(header.querySelector('.fui-Text'));
      const postText = arr(post.children).find((c) => c !== header && (c.getAttribute('class') ?? '').includes('fui-Text'));
      const replies: ThreadReply[] = [];
      for (const avatar of arr(post.querySelectorAll('.fui-Avatar[role="img"]'))) {
        if ((header !== null && header.contains(avatar)) || (footer !== null && footer.contains(avatar))) continue;
        const replyHeader = avatar.parentElement;
        const body = replyHeader?.nextElementSibling ?? null;
        replies.push({
          index: replies.length,
          author: avatar.getAttribute('aria-label') ?? '',
          text: textOf(body),
          cards: body === null ? 0 : body.querySelectorAll('.ac-adaptiveCard').length,
        });
      }
      return { index, author: headerName, text: textOf(postText), replies };
    });
  };
  const logPanel = (): MiniElement | null => g.document.querySelector('[contenteditable="true"][spellcheck="false"]');
  const readLog = (): string[] => {
    const panel = logPanel();
    return panel === null ? [] : arr(panel.children).map((row) => textOf(row).replace(/\s+/g, ' '));
  };
  const botTyping = (botName: string): boolean => {
    // The indicator is the bot's avatar (plus three dots) outside any message, tree item or post.
    for (const avatar of arr(g.document.querySelectorAll(`.fui-Avatar[aria-label="${botName}"]`))) {
      if (avatar.closest('[role="tree"], [role="treeitem"], .fui-Card, [role="listbox"]') !== null) continue;
      let inMessage = false;
      for (let el = avatar.parentElement; el !== null; el = el.parentElement) {
        if (arr(el.children).some((c) => c.getAttribute('aria-label') === 'Message header')) {
          inMessage = true;
          break;
        }
      }
      if (!inMessage) return true;
    }
    return false;
  };
  const markChatPane = (): boolean => {
    // The pane is the largest ancestor of a compose box that holds neither the sidebar nor the log.
    const region = g.document.querySelector('[aria-label="Chat and Teams Channel"]');
    const log = logPanel();
    let pane: MiniElement | null = null;
    for (let el = g.document.querySelector('[data-lexical-editor="true"]'); el !== null; el = el.parentElement) {
      if ((region !== null && el.contains(region)) || (log !== null && el.contains(log))) break;
      pane = el;
    }
    if (pane === null) return false;
    pane.setAttribute('data-e2e', 'chat-pane');
    return true;
  };
  g.__e2e = { readChat, readChannel, readLog, botTyping, markChatPane };
}

/** How page functions reach the helpers: `(globalThis as unknown as E2EGlobal).__e2e` (no closures in the page). */
interface E2EGlobal {
  __e2e: PageLib;
}

// ---------------------------------------------------------------------------------------------
// Page helpers
// ---------------------------------------------------------------------------------------------

export interface WaitOptions {
  /** @default 15_000 */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT = 15_000;
const COMPOSE = '[data-lexical-editor="true"]';

/** Loads the Playground and waits until it has reached the bot ("Connected." in its log panel). */
export async function openPlayground(page: Page, url: string, options: WaitOptions = {}): Promise<void> {
  const timeout = options.timeoutMs ?? 30_000;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.getByRole('treeitem', { name: 'Personal Chat', exact: true }).waitFor({ timeout });
  // On load the server waits (wait-on, up to 15 s) for any HTTP answer from the bot endpoint, then
  // logs "Connected." or "Cannot connect to your app ...".
  const handle = await page.waitForFunction(
    () => {
      const lines = (globalThis as unknown as E2EGlobal).__e2e.readLog();
      if (lines.some((l) => / Connected\.$/.test(l))) return 'connected';
      return lines.some((l) => /Cannot connect to your app/.test(l)) ? 'unreachable' : false;
    },
    undefined,
    { timeout, polling: 100 },
  );
  const outcome = (await handle.jsonValue()) as string;
  await handle.dispose();
  if (outcome !== 'connected') throw new Error('the Playground could not reach the bot endpoint (is the bot up?)');
}

async function openTreeItem(page: Page, name: string, ready: Locator, timeout: number): Promise<void> {
  await page.getByRole('treeitem', { name, exact: true }).click({ timeout });
  await ready.waitFor({ state: 'visible', timeout });
}

/** The personal chat with the bot: one compose box at the bottom. */
export async function openPersonalChat(page: Page, options: WaitOptions = {}): Promise<void> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  await openTreeItem(page, 'Personal Chat', page.locator(COMPOSE).first(), timeout);
  await page.locator('.fui-Card[role="group"]').first().waitFor({ state: 'detached', timeout });
}

/** The group chat (bot plus five mock users): messages reach the bot only with an @mention. */
export async function openGroupChat(page: Page, options: WaitOptions = {}): Promise<void> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  await openTreeItem(page, 'Group Chat', page.locator(COMPOSE).first(), timeout);
  await page.locator('.fui-Card[role="group"]').first().waitFor({ state: 'detached', timeout });
}

/** All messages of the open personal/group chat, oldest first. */
export function readChat(page: Page): Promise<ChatMessage[]> {
  return page.evaluate(() => (globalThis as unknown as E2EGlobal).__e2e.readChat());
}

/** How many messages the open chat shows: pass it as `after` to wait for what comes next. */
export async function messageCount(page: Page): Promise<number> {
  return (await readChat(page)).length;
}

/** The message at `index` of the open chat. */
export function messageLocator(page: Page, index: number): Locator {
  return page.locator('div:has(> [aria-label="Message header"])').nth(index);
}

async function typeInto(page: Page, box: Locator, text: string, timeout: number): Promise<void> {
  await box.click({ timeout });
  await page.keyboard.insertText(text);
  // Lexical applies input asynchronously: send only once the editor holds the whole text.
  await box.filter({ hasText: text }).waitFor({ timeout });
}

/** Types into the chat compose box, presses Enter and waits until the message shows as the user's. */
export async function sendMessage(page: Page, text: string, options: WaitOptions = {}): Promise<ChatMessage> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const after = await messageCount(page);
  await typeInto(page, page.locator(COMPOSE).last(), text, timeout);
  await page.keyboard.press('Enter');
  return waitForMessage(page, (m) => m.from === 'user' && m.text === text, after, timeout, `user message ${text}`);
}

/** Types `@<bot>` and picks the bot from the mention menu, then the text. */
async function typeMention(page: Page, box: Locator, botName: string, text: string, timeout: number): Promise<void> {
  await box.click({ timeout });
  await page.keyboard.insertText(`@${botName.slice(0, 4)}`);
  await page.locator('#typeahead-menu [role="menuitem"]').filter({ hasText: botName }).first().click({ timeout });
  await box.locator('.mention').filter({ hasText: botName }).waitFor({ timeout });
  await page.keyboard.insertText(` ${text}`);
  await box.filter({ hasText: text }).waitFor({ timeout });
}

/** Group chat: sends `@bot text` (the bot gets `<at>Bot</at> text` and a mention entity). */
export async function sendMention(page: Page, text: string, options: WaitOptions = {}): Promise<ChatMessage> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const botName = stateOf(page).botName;
  const after = await messageCount(page);
  await typeMention(page, page.locator(COMPOSE).last(), botName, text, timeout);
  await page.keyboard.press('Enter');
  return waitForMessage(page, (m) => m.from === 'user' && m.text.endsWith(text), after, timeout, `user mention ${text}`);
}

type TextMatch = string | RegExp;

function matches(text: string, match: TextMatch): boolean {
  return typeof match === 'string' ? text.includes(match) : match.test(text);
}

async function waitForMessage(
  page: Page,
  predicate: (m: ChatMessage) => boolean,
  after: number,
  timeout: number,
  what: string,
): Promise<ChatMessage> {
  // Predicates run here, in Node; between looks, wait (in the page) for the message list to change.
  const deadline = Date.now() + timeout;
  for (;;) {
    const all = await readChat(page);
    const found = all.slice(after).find(predicate);
    if (found !== undefined) return found;
    const left = deadline - Date.now();
    if (left <= 0) {
      const seen = all.slice(after).map((m) => `${m.from}: ${m.text.slice(0, 60)}`);
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; saw ${JSON.stringify(seen)}`);
    }
    await page
      .waitForFunction(
        ({ snapshot }) => JSON.stringify((globalThis as unknown as E2EGlobal).__e2e.readChat()) !== snapshot,
        { snapshot: JSON.stringify(all) },
        { timeout: left, polling: 100 },
      )
      .then((h) => h.dispose())
      .catch(() => undefined); // the deadline check above reports it
  }
}

export interface BotMessageWait extends WaitOptions {
  /** Only messages at or after this index (from messageCount() before the action). @default 0 */
  readonly after?: number;
}

/** Waits for a bot message (text, RegExp on its visible text, or a predicate) and returns it. */
export function waitForBotMessage(
  page: Page,
  match: TextMatch | ((m: ChatMessage) => boolean),
  options: BotMessageWait = {},
): Promise<ChatMessage> {
  const test = typeof match === 'function' ? match : (m: ChatMessage) => matches(m.text, match);
  return waitForMessage(
    page,
    (m) => m.from === 'bot' && test(m),
    options.after ?? 0,
    options.timeoutMs ?? DEFAULT_TIMEOUT,
    `bot message ${String(match)}`,
  );
}

/** Waits until no message of the open chat matches (e.g. a status line replaced by the answer). */
export async function waitForNoMessage(page: Page, match: TextMatch, options: WaitOptions = {}): Promise<void> {
  const source = typeof match === 'string' ? null : { source: match.source, flags: match.flags };
  await page.waitForFunction(
    ({ text, re }) =>
      !(globalThis as unknown as E2EGlobal).__e2e
        .readChat()
        .some((m) => (re === null ? m.text.includes(text) : new RegExp(re.source, re.flags).test(m.text))),
    { text: typeof match === 'string' ? match : '', re: source },
    { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT, polling: 100 },
  );
}

/** The last Adaptive Card of the open chat or channel. */
export function lastBotCard(page: Page): Locator {
  return page.locator('.ac-adaptiveCard').last();
}

/** The Adaptive Card(s) of the chat message at `index`. */
export function messageCard(page: Page, index: number, nth = 0): Locator {
  return messageLocator(page, index).locator('.ac-adaptiveCard').nth(nth);
}

/** Rows of the card's nth `Table` (header row included), each a list of cell texts. */
export function cardTableRows(card: Locator, nth = 0): Promise<string[][]> {
  return card.evaluate(
    (el, n) => {
      const root = el as unknown as MiniElement;
      const table = root.querySelectorAll('[role="table"]')[n];
      if (table === undefined) return [];
      const rows = Array.prototype.slice.call(table.querySelectorAll('[role="row"]')) as MiniElement[];
      return rows.map((row) =>
        (
          Array.prototype.slice.call(row.querySelectorAll('[role="cell"], [role="columnheader"]')) as MiniElement[]
        ).map((cell) => (cell.innerText ?? cell.textContent ?? '').trim()),
      );
    },
    nth,
  );
}

/** Texts of the card's TextBlocks outside tables, in order (hidden ones are not in the DOM). */
export function cardTextBlocks(card: Locator): Promise<string[]> {
  return card.evaluate((el) => {
    const root = el as unknown as MiniElement;
    const blocks = Array.prototype.slice.call(root.querySelectorAll('.ac-textBlock')) as MiniElement[];
    return blocks
      .filter((b) => b.closest('[role="table"]') === null)
      .map((b) => (b.innerText ?? b.textContent ?? '').trim());
  });
}

/** Button titles of the card's action sets. */
export function cardButtons(card: Locator): Promise<string[]> {
  return card.locator('.ac-actionSet button').evaluateAll((buttons) =>
    buttons.map((b) => (b as unknown as MiniElement).getAttribute('aria-label') ?? ''),
  );
}

/** Accessible names of rendered Teams charts, e.g. "Revenue by region, Vertical bar chart". */
export function cardCharts(card: Locator): Promise<string[]> {
  return card
    .locator('[role="alert"][aria-label]')
    .evaluateAll((els) => els.map((e) => (e as unknown as MiniElement).getAttribute('aria-label') ?? ''));
}

export interface ClickCardButtonOptions extends WaitOptions {
  /** The card to click in. @default the last card that has a button with this title */
  readonly card?: Locator;
  /** For buttons that send nothing (Action.OpenUrl): do not wait for a request. @default false */
  readonly expectNothing?: boolean;
}

/**
 * Clicks a card button and reports what went to the Playground server. With `teamsCardActions`
 * (the default), imBack is sent as the user's visible message (typed into the right compose box)
 * and messageBack as a `message` with `text` and `value`, as Teams does.
 */
export async function clickCardButton(
  page: Page,
  title: string,
  options: ClickCardButtonOptions = {},
): Promise<CardActionResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const state = stateOf(page);
  const button = (
    options.card ?? page.locator('.ac-adaptiveCard').filter({ has: page.getByRole('button', { name: title, exact: true }) }).last()
  )
    .getByRole('button', { name: title, exact: true })
    .first();
  await button.waitFor({ timeout });
  // The renderer marks Action.ToggleVisibility with aria-controls; it works locally and sends nothing.
  const toggles = (await button.getAttribute('aria-controls')) !== null;
  const actionsBefore = state.actions.length;
  const errorsBefore = state.pageErrors.length;
  await button.click({ timeout });
  if (toggles) return { kind: 'toggle' };
  if (options.expectNothing) return { kind: 'none' };

  await new Promise<void>((resolve, reject) => {
    const wake = (): void => {
      if (state.actions.length > actionsBefore) done(resolve);
    };
    const timer = setTimeout(() => done(() => reject(new Error(describeNoAction(title, timeout, state, errorsBefore)))), timeout);
    const onError = (): void => {
      if (state.pageErrors.length > errorsBefore) done(() => reject(new Error(describeNoAction(title, 0, state, errorsBefore))));
    };
    const done = (finish: () => void): void => {
      clearTimeout(timer);
      state.waiters.delete(wake);
      page.off('pageerror', onError);
      finish();
    };
    state.waiters.add(wake);
    page.on('pageerror', onError);
    wake();
    onError(); // the click itself may already have thrown
  });
  const action = state.actions[actionsBefore];
  if (action === undefined) throw new Error('card action vanished');
  if (action.kind === 'imBack') {
    const post = page.locator('.fui-Card[role="group"]').filter({ has: button });
    if ((await post.count()) > 0) {
      await typeMention(page, post.first().locator(`.fui-CardFooter ${COMPOSE}`), state.botName, action.text, timeout);
      await page.keyboard.press('Enter');
    } else {
      await sendMessage(page, action.text, { timeoutMs: timeout });
    }
  }
  return action;
}

function describeNoAction(title: string, timeout: number, state: PageState, errorsBefore: number): string {
  const errors = state.pageErrors.slice(errorsBefore);
  return errors.length > 0
    ? `clicking "${title}" threw in the page: ${errors.join('; ')}`
    : `clicking "${title}" sent nothing within ${timeout} ms`;
}

/** Whether the bot's typing indicator shows above the compose box. */
export function isBotTyping(page: Page): Promise<boolean> {
  const botName = stateOf(page).botName;
  return page.evaluate((name) => (globalThis as unknown as E2EGlobal).__e2e.botTyping(name), botName);
}

/** Waits for the typing indicator to appear (or, with `state: 'hidden'`, to go away). */
export async function waitForTyping(
  page: Page,
  options: WaitOptions & { readonly state?: 'visible' | 'hidden' } = {},
): Promise<void> {
  const botName = stateOf(page).botName;
  const visible = (options.state ?? 'visible') === 'visible';
  await page.waitForFunction(
    ({ name, want }) => (globalThis as unknown as E2EGlobal).__e2e.botTyping(name) === want,
    { name: botName, want: visible },
    { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT, polling: 50 },
  );
}

/** Lines of the Playground's log panel: the only place where bot HTTP errors show. */
export function readLogPanel(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as E2EGlobal).__e2e.readLog());
}

/** Waits for a log panel line, e.g. /message 500/ or /Cannot connect to your app/. */
export async function waitForLogLine(page: Page, match: RegExp, options: WaitOptions = {}): Promise<string> {
  const handle = await page.waitForFunction(
    ({ source, flags }) => (globalThis as unknown as E2EGlobal).__e2e.readLog().find((l) => new RegExp(source, flags).test(l)) ?? false,
    { source: match.source, flags: match.flags },
    { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT, polling: 100 },
  );
  const line = (await handle.jsonValue()) as string;
  await handle.dispose();
  return line;
}

// ---------------------------------------------------------------------------------------------
// Teams channel view
// ---------------------------------------------------------------------------------------------

/** Opens a channel of the mock team ("General" or "Announcements" of "My Team" by default). */
export async function openChannel(page: Page, channel = 'General', team = 'My Team', options: WaitOptions = {}): Promise<void> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  await openTreeItem(page, `${team} - ${channel}`, newPostComposer(page), timeout);
}

function newPostComposer(page: Page): Locator {
  return page.locator('.fui-Card[role="group"]').filter({ has: page.getByRole('button', { name: 'Post', exact: true }) });
}

/** The channel's posts with their threads, oldest first. */
export function readChannel(page: Page): Promise<ChannelPost[]> {
  return page.evaluate(() => (globalThis as unknown as E2EGlobal).__e2e.readChannel());
}

/**
 * A post: its index in readChannel() (newest first, so indexes shift when posts arrive) or, better,
 * its text as shown (`ChannelPost.text`, e.g. "Test Bot hello"), which stays put.
 */
export type PostRef = number | string;

async function postIndex(page: Page, ref: PostRef): Promise<number> {
  if (typeof ref === 'number') return ref;
  const index = (await readChannel(page)).findIndex((p) => p.text === ref);
  if (index < 0) throw new Error(`no channel post with text ${JSON.stringify(ref)}`);
  return index;
}

/** The post (thread root) at `index` of the open channel (newest first). */
export function postLocator(page: Page, index: number): Locator {
  return page
    .locator('.fui-Card[role="group"]')
    .filter({ has: page.locator('.fui-CardFooter [aria-label="Send Message"]') })
    .nth(index);
}

/**
 * Starts a new post `@<bot> text` in the open channel and returns it. The bot receives a message
 * in conversation `<channel id>;messageid=<post id>` with `<at>Bot</at> text` and a mention entity.
 */
export async function sendChannelMention(page: Page, text: string, options: WaitOptions = {}): Promise<ChannelPost> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const state = stateOf(page);
  const before = (await readChannel(page)).filter((p) => p.text.endsWith(text)).length;
  const composer = newPostComposer(page);
  await typeMention(page, composer.locator(COMPOSE), state.botName, text, timeout);
  await composer.getByRole('button', { name: 'Post', exact: true }).click({ timeout });
  // Newest post first: the new one is the first post with this text once there is one more of them.
  const handle = await page.waitForFunction(
    ({ n, t }) => {
      const same = (globalThis as unknown as E2EGlobal).__e2e.readChannel().filter((p) => p.text.endsWith(t));
      return same.length > n ? same[0] : false;
    },
    { n: before, t: text },
    { timeout, polling: 100 },
  );
  const post = (await handle.jsonValue()) as ChannelPost;
  await handle.dispose();
  return post;
}

/**
 * Replies in the thread of post `postIndex` (with `mention`, the default, the bot is @mentioned)
 * and waits until the reply shows. Thread order is not send order: a bot reply sent inside the
 * webhook turn can show above the user's reply that caused it.
 */
export async function replyInThread(
  page: Page,
  post: PostRef,
  text: string,
  options: WaitOptions & { readonly mention?: boolean } = {},
): Promise<ThreadReply> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const botName = stateOf(page).botName;
  const index = await postIndex(page, post);
  const root = (await readChannel(page))[index];
  const before = root?.replies.filter((r) => r.author !== botName && r.text.endsWith(text)).length ?? 0;
  const box = postLocator(page, index).locator(`.fui-CardFooter ${COMPOSE}`);
  if (options.mention ?? true) await typeMention(page, box, botName, text, timeout);
  else await typeInto(page, box, text, timeout);
  await page.keyboard.press('Enter');
  const handle = await page.waitForFunction(
    ({ rootText, n, bot, t }) => {
      const p = (globalThis as unknown as E2EGlobal).__e2e.readChannel().find((x) => x.text === rootText);
      const mine = p?.replies.filter((r) => r.author !== bot && r.text.endsWith(t)) ?? [];
      return mine.length > n ? mine[mine.length - 1] : false;
    },
    { rootText: root?.text ?? '', n: before, bot: botName, t: text },
    { timeout, polling: 100 },
  );
  const reply = (await handle.jsonValue()) as ThreadReply;
  await handle.dispose();
  return reply;
}

/** Waits for a bot reply in the thread of `post` (index or text) and returns it. */
export async function waitForThreadReply(
  page: Page,
  post: PostRef,
  match: TextMatch,
  options: BotMessageWait = {},
): Promise<ThreadReply> {
  const botName = stateOf(page).botName;
  const rootText = typeof post === 'string' ? post : ((await readChannel(page))[post]?.text ?? '');
  const source = typeof match === 'string' ? null : { source: match.source, flags: match.flags };
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const handle = await page
    .waitForFunction(
      ({ root, after, bot, text, re }) => {
        const p = (globalThis as unknown as E2EGlobal).__e2e.readChannel().find((x) => x.text === root);
        const hit = p?.replies
          .slice(after)
          .find(
            (r) =>
              r.author === bot && (re === null ? r.text.includes(text) : new RegExp(re.source, re.flags).test(r.text)),
          );
        return hit ?? false;
      },
      { root: rootText, after: options.after ?? 0, bot: botName, text: typeof match === 'string' ? match : '', re: source },
      { timeout, polling: 100 },
    )
    .catch(async (e: unknown) => {
      const seen = (await readChannel(page)).find((x) => x.text === rootText);
      throw new Error(
        `timed out after ${timeout} ms waiting for a bot reply ${String(match)} to ${JSON.stringify(rootText)}; ` +
          `thread: ${JSON.stringify(seen?.replies.map((r) => `${r.author}: ${r.text.slice(0, 60)}`) ?? null)}`,
        { cause: e },
      );
    });
  const reply = (await handle.jsonValue()) as ThreadReply;
  await handle.dispose();
  return reply;
}

// ---------------------------------------------------------------------------------------------
// Screenshots
// ---------------------------------------------------------------------------------------------

/** PNG of the chat/channel pane only (no sidebar, no log panel); falls back to the viewport. */
export async function screenshot(page: Page, path: string): Promise<void> {
  const marked = await page.evaluate(() => (globalThis as unknown as E2EGlobal).__e2e.markChatPane());
  if (marked) await page.locator('[data-e2e="chat-pane"]').screenshot({ path, animations: 'disabled' });
  else await page.screenshot({ path, animations: 'disabled' });
}
