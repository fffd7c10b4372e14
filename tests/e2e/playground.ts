/**
 * Drives the Microsoft 365 Agents Playground (npm `@microsoft/m365agentsplayground`) with headless
 * Chromium through playwright-core. Findings behind every selector and wait: docs/e2e-notes.md.
 * This is the one entry; the parts live in ./playground/: process.ts (the Playground process),
 * browser.ts (Chromium, request routing), page-lib.ts (helpers installed in the page), chat.ts
 * (views, sending, reading and waiting), cards.ts (card reading and buttons), card-actions.ts (Teams
 * card actions on the wire), channel.ts (channel posts and threads), panels.ts (typing, log, screenshots).
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
export { type BrowserOptions, type E2EBrowser, openBrowser } from './playground/browser';
export {
  cardButtons,
  cardCharts,
  cardTableRows,
  cardTextBlocks,
  clickCardButton,
  type ClickCardButtonOptions,
  lastBotCard,
  messageCard,
} from './playground/cards';
export {
  openChannel,
  postLocator,
  type PostRef,
  readChannel,
  replyInThread,
  sendChannelMention,
  waitForThreadReply,
} from './playground/channel';
export {
  type BotMessageWait,
  messageCount,
  messageLocator,
  openGroupChat,
  openPersonalChat,
  openPlayground,
  readChat,
  sendMention,
  sendMessage,
  waitForBotMessage,
  waitForNoMessage,
  type WaitOptions,
} from './playground/chat';
export type { ChannelPost, ChatMessage, ThreadReply } from './playground/page-lib';
export type { CardActionResult } from './playground/page-state';
export { isBotTyping, readLogPanel, screenshot, SCREENSHOT_DIR, waitForLogLine, waitForTyping } from './playground/panels';
export { type Playground, type PlaygroundOptions, startPlayground } from './playground/process';
