/** The Teams channel view: posts that @mention the bot, their threads, and waiting for the bot's replies. */
import type { Locator, Page } from 'playwright-core';

import {
  type BotMessageWait,
  COMPOSE,
  DEFAULT_TIMEOUT,
  openTreeItem,
  type TextMatch,
  typeInto,
  typeMention,
  type WaitOptions,
} from './chat';
import type { ChannelPost, E2EGlobal, ThreadReply } from './page-lib';
import { stateOf } from './page-state';

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
export async function waitForThreadReply(page: Page, post: PostRef, match: TextMatch, options: BotMessageWait = {}): Promise<ThreadReply> {
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
          .find((r) => r.author === bot && (re === null ? r.text.includes(text) : new RegExp(re.source, re.flags).test(r.text)));
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
