import type { GenieAnswer, GenieMessage, GenieMessageRef } from './types';

export const FOLLOW_UP_PURPOSE = 'FOLLOW_UP_QUESTION';

/**
 * What a finished message says. Genie may correct itself and emit several query/text pairs: the
 * LAST query is the answer, and the last answer text goes with it. A FOLLOW_UP_QUESTION text is
 * Genie asking the user to clarify.
 */
export function readAnswer(ref: GenieMessageRef, message: GenieMessage): GenieAnswer {
  let text: string | undefined;
  let clarification: string | undefined;
  let query: GenieAnswer['query'];
  const suggestions: string[] = [];
  for (const attachment of message.attachments ?? []) {
    const content = attachment.text?.content?.trim();
    if (content) {
      if (attachment.text?.purpose === FOLLOW_UP_PURPOSE) clarification = content;
      else text = content;
    }
    const q = attachment.query;
    if (q) {
      const attachmentId = attachment.attachment_id ?? q.id;
      if (attachmentId) {
        const thoughts = (q.thoughts ?? []).flatMap((t) =>
          t.thought_type && t.content?.trim() ? [{ type: t.thought_type, content: t.content.trim() }] : [],
        );
        query = {
          attachmentId,
          ...(q.title ? { title: q.title } : {}),
          ...(q.description ? { description: q.description } : {}),
          ...(q.query ? { sql: q.query } : {}),
          ...(q.query_result_metadata?.row_count !== undefined ? { rowCount: q.query_result_metadata.row_count } : {}),
          ...(q.query_result_metadata?.is_truncated !== undefined ? { truncated: q.query_result_metadata.is_truncated } : {}),
          ...(thoughts.length ? { thoughts } : {}),
        };
      }
    }
    for (const question of attachment.suggested_questions?.questions ?? []) {
      const trimmed = question.trim();
      if (trimmed && !suggestions.includes(trimmed)) suggestions.push(trimmed);
    }
  }
  return {
    ref,
    status: message.status ?? 'UNKNOWN',
    ...(text ? { text } : {}),
    ...(clarification ? { clarification } : {}),
    ...(query ? { query } : {}),
    suggestedQuestions: suggestions,
  };
}
