import type { FeedbackRating, GenieMessageRef } from '../../genie';
import type { Messages } from '../../i18n';

/** Adaptive Card JSON, as plain objects: cards are data, built by pure functions. */
export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  readonly type: 'AdaptiveCard';
  readonly version: '1.5';
  readonly body: CardElement[];
  readonly msteams: { readonly width: 'Full' };
  readonly actions?: CardElement[];
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** The verb of the feedback buttons (Action.Execute → adaptiveCard/action invoke). */
export const FEEDBACK_VERB = 'genie.feedback';

/** The verb of "Download all N rows" (Action.Execute → adaptiveCard/action invoke). */
export const DOWNLOAD_VERB = 'genie.download';

/** What a feedback button carries: the exact Genie message it rates. */
export interface FeedbackActionData {
  readonly rating: FeedbackRating;
  readonly ref: GenieMessageRef;
  /** The job whose stored card the receipt updates. */
  readonly job?: string;
}

export function card(body: CardElement[]): AdaptiveCard {
  return { type: 'AdaptiveCard', version: '1.5', body, msteams: { width: 'Full' } };
}

export function text(value: string, extra: CardElement = {}): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

/**
 * A button that posts `question` as the user's own visible message (Teams imBack), so it reads
 * in the chat like a typed question and continues the same Genie conversation.
 */
export function askButton(question: string): CardElement {
  return {
    type: 'Action.Submit',
    title: question.length > 60 ? `${question.slice(0, 59)}…` : question,
    data: { msteams: { type: 'imBack', value: question } },
  };
}

export function feedbackButtons(ref: GenieMessageRef, messages: Messages, job?: string): CardElement[] {
  const button = (title: string, rating: FeedbackRating, tooltip: string): CardElement => ({
    type: 'Action.Execute',
    title,
    tooltip,
    verb: FEEDBACK_VERB,
    data: { rating, ref, ...(job ? { job } : {}) } satisfies FeedbackActionData,
  });
  return [button('👍', 'POSITIVE', messages.text('feedback.good')), button('👎', 'NEGATIVE', messages.text('feedback.bad'))];
}

/** What "Download all N rows" carries: the job (whose chat it must be clicked in) and the Genie message it names. */
export interface DownloadActionData {
  readonly ref: GenieMessageRef;
  readonly job: string;
}

/**
 * The button that fetches the whole result. Which attachment to download is read from Genie on
 * click, never taken from the card.
 */
export function downloadButton(ref: GenieMessageRef, job: string, rows: number, messages: Messages): CardElement {
  return {
    type: 'Action.Execute',
    title: messages.text('download.button', { rows }),
    verb: DOWNLOAD_VERB,
    data: { ref, job } satisfies DownloadActionData,
  };
}

const isId = (v: unknown): v is string => typeof v === 'string' && /^[\w-]{1,128}$/.test(v);

function isMessageRef(ref: unknown): ref is GenieMessageRef {
  if (typeof ref !== 'object' || ref === null) return false;
  const { spaceId, conversationId, messageId } = ref as Record<string, unknown>;
  return isId(spaceId) && isId(conversationId) && isId(messageId);
}

/** Whether an action payload is one of our feedback buttons, with well-formed ids. */
export function isFeedbackActionData(value: unknown): value is FeedbackActionData {
  if (typeof value !== 'object' || value === null) return false;
  const { rating, ref, job } = value as { rating?: unknown; ref?: unknown; job?: unknown };
  return (rating === 'POSITIVE' || rating === 'NEGATIVE') && isMessageRef(ref) && (job === undefined || isId(job));
}

/** Whether an action payload is a download button's, with well-formed ids. */
export function isDownloadActionData(value: unknown): value is DownloadActionData {
  if (typeof value !== 'object' || value === null) return false;
  const { ref, job } = value as { ref?: unknown; job?: unknown };
  return isMessageRef(ref) && isId(job);
}

export function attachment(content: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content };
}

/** Bytes of UTF-8 JSON, as the budget counts them. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
