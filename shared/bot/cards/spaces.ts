import type { Messages } from '../../i18n';
import { type AdaptiveCard, card, type CardElement, text } from './elements';
import { plainText } from './escape';

/** The verb of a space's button on the `spaces` card (Action.Execute → adaptiveCard/action invoke). */
export const USE_SPACE_VERB = 'genie.useSpace';

/** What a space's button carries: the alias, and the chat the card was sent to (a tag, not the chat's id). */
export interface UseSpaceActionData {
  readonly alias: string;
  readonly chat: string;
}

export function isUseSpaceActionData(value: unknown): value is UseSpaceActionData {
  if (typeof value !== 'object' || value === null) return false;
  const { alias, chat } = value as { alias?: unknown; chat?: unknown };
  return typeof alias === 'string' && /^[a-z][a-z0-9_-]{0,31}$/.test(alias) && typeof chat === 'string' && /^[0-9a-f]{16}$/.test(chat);
}

/** A space as the card shows it: Genie's title and description are data, shown escaped. */
export interface SpaceEntry {
  readonly alias: string;
  readonly title: string;
  readonly description?: string;
}

/**
 * The `spaces` card: each space the person may use, with Genie's title and description and one
 * button to switch to it. `notice` (after a switch) leads the card.
 */
export function renderSpacesCard(
  messages: Messages,
  spaces: readonly SpaceEntry[],
  current: string,
  chatTag: string,
  /** An alias for the hint's example (`use ops`). */
  example: string,
  notice?: string,
): AdaptiveCard {
  const body: CardElement[] = [];
  if (notice) body.push(text(notice, { weight: 'Bolder', color: 'Good' }));
  body.push(text(messages.text('spaces.title'), { weight: 'Bolder', size: 'Medium', spacing: notice ? 'Medium' : 'Default' }));
  for (const space of spaces) {
    const isCurrent = space.alias === current;
    const name = `${plainText(space.title)} · \`${space.alias}\`${isCurrent ? ` — ${messages.text('spaces.currentMark')}` : ''}`;
    const items: CardElement[] = [text(name, { weight: 'Bolder' })];
    if (space.description) items.push(text(plainText(space.description), { isSubtle: true, spacing: 'None' }));
    items.push({
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.Execute',
          title: messages.text('spaces.useButton', { title: space.title.length > 40 ? `${space.title.slice(0, 39)}…` : space.title }),
          verb: USE_SPACE_VERB,
          data: { alias: space.alias, chat: chatTag } satisfies UseSpaceActionData,
        },
      ],
    });
    body.push({ type: 'Container', separator: true, spacing: 'Medium', items });
  }
  body.push(text(messages.text('spaces.hint', { example }), { isSubtle: true, size: 'Small', spacing: 'Medium' }));
  return card(body);
}
