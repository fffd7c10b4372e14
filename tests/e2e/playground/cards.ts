/** Reading Adaptive Cards as rendered, and clicking their buttons the way Teams would send them. */
import type { Locator, Page } from 'playwright-core';

import { COMPOSE, DEFAULT_TIMEOUT, messageLocator, sendMessage, typeMention, type WaitOptions } from './chat';
import type { MiniElement } from './page-lib';
import { type CardActionResult, type PageState, stateOf } from './page-state';

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
  return card.evaluate((el, n) => {
    const root = el as unknown as MiniElement;
    const table = root.querySelectorAll('[role="table"]')[n];
    if (table === undefined) return [];
    const rows = Array.prototype.slice.call(table.querySelectorAll('[role="row"]')) as MiniElement[];
    return rows.map((row) =>
      (Array.prototype.slice.call(row.querySelectorAll('[role="cell"], [role="columnheader"]')) as MiniElement[]).map((cell) =>
        (cell.innerText ?? cell.textContent ?? '').trim(),
      ),
    );
  }, nth);
}

/** Texts of the card's TextBlocks outside tables, in order (hidden ones are not in the DOM). */
export function cardTextBlocks(card: Locator): Promise<string[]> {
  return card.evaluate((el) => {
    const root = el as unknown as MiniElement;
    const blocks = Array.prototype.slice.call(root.querySelectorAll('.ac-textBlock')) as MiniElement[];
    return blocks.filter((b) => b.closest('[role="table"]') === null).map((b) => (b.innerText ?? b.textContent ?? '').trim());
  });
}

/** Button titles of the card's action sets. */
export function cardButtons(card: Locator): Promise<string[]> {
  return card
    .locator('.ac-actionSet button')
    .evaluateAll((buttons) => buttons.map((b) => (b as unknown as MiniElement).getAttribute('aria-label') ?? ''));
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
export async function clickCardButton(page: Page, title: string, options: ClickCardButtonOptions = {}): Promise<CardActionResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const state = stateOf(page);
  const button = (
    options.card ??
    page
      .locator('.ac-adaptiveCard')
      .filter({ has: page.getByRole('button', { name: title, exact: true }) })
      .last()
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
