import { type AdaptiveCard, askButton, card, type CardElement, text } from './elements';

/** What the bot says about itself: used by `help` and as the welcome message. */
export function renderHelpCard(sampleQuestions: readonly string[], greeting = false): AdaptiveCard {
  const body: CardElement[] = [
    text(greeting ? '👋 Hi! I answer questions about your data with Databricks Genie.' : 'I answer questions about your data with Databricks Genie.', {
      weight: 'Bolder',
      size: 'Medium',
    }),
    text('Ask in plain words. I show Genie’s answer with the table (and a chart when it helps), the SQL behind it, and follow-up questions. Follow-ups continue the same conversation.'),
  ];
  if (sampleQuestions.length) {
    body.push(text('Try one of these:', { weight: 'Bolder', spacing: 'Medium' }));
    body.push({ type: 'ActionSet', actions: sampleQuestions.slice(0, 6).map(askButton) });
  }
  body.push(
    text('**new** — start a fresh conversation · **help** — show this again', { isSubtle: true, size: 'Small', spacing: 'Medium' }),
    text('In a channel, mention me to ask; I answer in the thread.', { isSubtle: true, size: 'Small', spacing: 'None' }),
  );
  return card(body);
}

/** Shown while Genie works on a question that takes more than a few seconds; the answer replaces it. */
export const STATUS_TEXT = '🔎 Looking at your data…';

export const NEW_CONVERSATION_TEXT = 'Started a new conversation with Genie. What would you like to know?';

export const NOT_TEXT_REPLY = "I can only read text questions. Type your question, or **help** to see what I can do.";

export const TOO_LONG_REPLY = 'That question is too long for me to pass on. Please keep it under 4,000 characters.';

export const HANDOFF_FAILED_REPLY = "I couldn't take your question just now. Please send it again in a moment.";
