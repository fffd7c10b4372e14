/** Opening the Playground's views, and sending, reading and waiting for messages in the personal and group chats. */
import type { Locator, Page } from 'playwright-core';

import type { ChatMessage, E2EGlobal } from './page-lib';
import { stateOf } from './page-state';

export interface WaitOptions {
  /** @default 15_000 */
  readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT = 15_000;
export const COMPOSE = '[data-lexical-editor="true"]';

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

export async function openTreeItem(page: Page, name: string, ready: Locator, timeout: number): Promise<void> {
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

export async function typeInto(page: Page, box: Locator, text: string, timeout: number): Promise<void> {
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
export async function typeMention(page: Page, box: Locator, botName: string, text: string, timeout: number): Promise<void> {
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

export type TextMatch = string | RegExp;

function matches(text: string, match: TextMatch): boolean {
  return typeof match === 'string' ? text.includes(match) : match.test(text);
}

export async function waitForMessage(
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
