/**
 * Headless Chromium for the Playground: a fresh profile, loopback traffic only, the in-page helpers
 * installed, Teams card actions emulated, and bot activities held while a user post is in flight.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

import { onInvoke, onSubmit } from './card-actions';
import { installPageLib } from './page-lib';
import { type PageState, pageStates } from './page-state';

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
