/** What the driver keeps per page opened with openBrowser(): the card actions seen on the wire, errors, waiters. */
import type { Page } from 'playwright-core';

/** What clicking a card button did, as seen on the wire between page and Playground server. */
export type CardActionResult =
  | { readonly kind: 'toggle' }
  | { readonly kind: 'none' }
  | { readonly kind: 'submit'; readonly value: unknown }
  | { readonly kind: 'invoke'; readonly name: string; readonly value: unknown }
  | { readonly kind: 'imBack'; readonly text: string }
  | { readonly kind: 'messageBack'; readonly text: string; readonly displayText?: string; readonly value: unknown };

export interface PageState {
  readonly botName: string;
  readonly actions: CardActionResult[];
  readonly waiters: Set<() => void>;
  readonly pageErrors: string[];
}

export const pageStates = new WeakMap<Page, PageState>();

export function stateOf(page: Page): PageState {
  const state = pageStates.get(page);
  if (state === undefined) throw new Error('page was not opened with openBrowser()');
  return state;
}

export function record(state: PageState, action: CardActionResult): void {
  state.actions.push(action);
  for (const wake of state.waiters) wake();
}
