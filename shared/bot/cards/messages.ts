import type { Messages } from '../../i18n';
import { type AdaptiveCard, askButton, card, type CardElement, text } from './elements';
import { plainText } from './escape';

/**
 * What the bot says about itself, in the user's language: used by `help` and as the welcome message.
 * `space`: the title of the space the chat asks, named when the deployment offers several.
 */
export function renderHelpCard(messages: Messages, sampleQuestions: readonly string[], greeting = false, space?: string): AdaptiveCard {
  const body: CardElement[] = [
    text(messages.text(greeting ? 'help.greeting' : 'help.intro'), { weight: 'Bolder', size: 'Medium' }),
    text(messages.text('help.howTo')),
  ];
  if (space !== undefined) body.push(text(messages.text('help.space', { title: plainText(space) })));
  if (sampleQuestions.length) {
    body.push(text(messages.text('help.tryThese'), { weight: 'Bolder', spacing: 'Medium' }));
    body.push({ type: 'ActionSet', actions: sampleQuestions.slice(0, 6).map(askButton) });
  }
  body.push(
    text(messages.text('help.commands'), { isSubtle: true, size: 'Small', spacing: 'Medium' }),
    text(messages.text('help.channels'), { isSubtle: true, size: 'Small', spacing: 'None' }),
  );
  return card(body);
}
