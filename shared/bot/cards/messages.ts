import type { Messages } from '../../i18n';
import { type AdaptiveCard, askButton, card, type CardElement, text } from './elements';

/** What the bot says about itself, in the user's language: used by `help` and as the welcome message. */
export function renderHelpCard(messages: Messages, sampleQuestions: readonly string[], greeting = false): AdaptiveCard {
  const body: CardElement[] = [
    text(messages.text(greeting ? 'help.greeting' : 'help.intro'), { weight: 'Bolder', size: 'Medium' }),
    text(messages.text('help.howTo')),
  ];
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
