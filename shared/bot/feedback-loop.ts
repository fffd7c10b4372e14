import type { FeedbackRating } from '../genie';

/**
 * Teams' own 👍/👎 under an answer (teams-ai.md). `default`: Teams asks for the optional text itself,
 * no dialog of ours (`custom` would need a `message/fetchTask` handler). Never together with the
 * older `feedbackLoopEnabled`: Teams refuses an activity that sets both.
 */
export const TEAMS_FEEDBACK_LOOP = Object.freeze({ feedbackLoop: Object.freeze({ type: 'default' }) });

/** The invoke Teams sends when someone presses its feedback buttons. */
export const SUBMIT_ACTION_INVOKE = 'message/submitAction';

/** The person's words go to Genie as the comment, bounded so one click cannot carry an arbitrary payload. */
export const MAX_FEEDBACK_COMMENT_CHARS = 2_000;

export interface TeamsFeedback {
  readonly rating: FeedbackRating;
  readonly comment?: string;
}

/**
 * The rating and text of a `message/submitAction` invoke's value
 * (`{ actionName: "feedback", actionValue: { reaction, feedback: "{\"feedbackText\":…}" } }`),
 * or undefined for anything else. The text arrives as a JSON string; unreadable text is dropped, the rating kept.
 */
export function parseTeamsFeedback(value: unknown): TeamsFeedback | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { actionName, actionValue } = value as { actionName?: unknown; actionValue?: { reaction?: unknown; feedback?: unknown } };
  if (actionName !== 'feedback' || typeof actionValue !== 'object' || actionValue === null) return undefined;
  const rating = actionValue.reaction === 'like' ? 'POSITIVE' : actionValue.reaction === 'dislike' ? 'NEGATIVE' : undefined;
  if (!rating) return undefined;
  const comment = feedbackTextOf(actionValue.feedback)?.trim().slice(0, MAX_FEEDBACK_COMMENT_CHARS);
  return comment ? { rating, comment } : { rating };
}

function feedbackTextOf(feedback: unknown): string | undefined {
  if (typeof feedback !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(feedback);
    const text = typeof parsed === 'object' && parsed !== null ? (parsed as { feedbackText?: unknown }).feedbackText : undefined;
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}
