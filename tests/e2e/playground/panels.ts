/** The typing indicator, the log panel (where bot HTTP errors show) and screenshots of the chat pane. */
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { DEFAULT_TIMEOUT, type WaitOptions } from './chat';
import type { E2EGlobal } from './page-lib';
import { stateOf } from './page-state';

/** Whether the bot's typing indicator shows above the compose box. */
export function isBotTyping(page: Page): Promise<boolean> {
  const botName = stateOf(page).botName;
  return page.evaluate((name) => (globalThis as unknown as E2EGlobal).__e2e.botTyping(name), botName);
}

/** Waits for the typing indicator to appear (or, with `state: 'hidden'`, to go away). */
export async function waitForTyping(page: Page, options: WaitOptions & { readonly state?: 'visible' | 'hidden' } = {}): Promise<void> {
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

/** Where screenshots go: docs/screenshots/ when E2E_UPDATE_SCREENSHOTS=1, else E2E_SCREENSHOTS or /tmp/e2e-screenshots. */
export const SCREENSHOT_DIR =
  process.env.E2E_UPDATE_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', '..', '..', 'docs', 'screenshots')
    : (process.env.E2E_SCREENSHOTS ?? '/tmp/e2e-screenshots');

/** PNG of the chat/channel pane only (no sidebar, no log panel); falls back to the viewport. */
export async function screenshot(page: Page, path: string): Promise<void> {
  const marked = await page.evaluate(() => (globalThis as unknown as E2EGlobal).__e2e.markChatPane());
  if (marked) await page.locator('[data-e2e="chat-pane"]').screenshot({ path, animations: 'disabled' });
  else await page.screenshot({ path, animations: 'disabled' });
}
