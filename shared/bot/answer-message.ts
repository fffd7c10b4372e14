import type { Activity } from 'botbuilder';

import type { GenieAnswer } from '../genie';
import type { Messages } from '../i18n';
import { type AdaptiveCard, attachment, type CardSettings, jsonBytes, plainText, renderAnswerCard, text as textBlock } from './cards';
import { aiLabelFor, type AnswerSpace } from './citations';
import { TEAMS_FEEDBACK_LOOP } from './feedback-loop';

/**
 * A Genie answer as one Teams message: the card (naming its space when several are offered), Teams'
 * AI label with its citations, and Teams' feedback buttons. The `[n]` markers go inside the card: an
 * activity of text and a card is two messages in Teams, and the status line (one part) cannot be
 * replaced by two. One message, one set of feedback buttons. The label's bytes count against the
 * card's budget.
 */
export function answerMessage(
  answer: GenieAnswer,
  messages: Messages,
  cards: Omit<CardSettings, 'locale'>,
  jobId: string,
  space?: AnswerSpace,
): { readonly activity: Partial<Activity>; readonly card: AdaptiveCard } {
  const label = aiLabelFor(answer, messages, space);
  const spaceLine = space
    ? [textBlock(messages.text('card.fromSpace', { title: plainText(space.title) }), { isSubtle: true, size: 'Small' })]
    : [];
  const labelBytes = jsonBytes(label.entity) + jsonBytes(label.text ?? '') + jsonBytes(spaceLine);
  const card = renderAnswerCard(
    answer,
    { ...cards, maxBytes: cards.maxBytes - labelBytes, locale: messages.locale },
    { kind: 'buttons', job: jobId },
  );
  const cited: AdaptiveCard = {
    ...card,
    body: [...spaceLine, ...card.body, ...(label.text ? [textBlock(label.text, { isSubtle: true, size: 'Small', spacing: 'Small' })] : [])],
  };
  return { activity: { attachments: [attachment(cited)], entities: [label.entity], channelData: TEAMS_FEEDBACK_LOOP }, card: cited };
}
