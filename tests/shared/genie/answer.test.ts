import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type GenieMessage, readAnswer } from '../../../shared/genie';

const ref = { spaceId: 's', conversationId: 'c', messageId: 'm' };

describe('readAnswer', () => {
  it('takes the LAST query attachment and the last answer text when Genie corrected itself', () => {
    const message: GenieMessage = {
      status: 'COMPLETED',
      attachments: [
        { attachment_id: 'a1', query: { title: 'First try', query: 'SELECT 1' } },
        { attachment_id: 't1', text: { content: 'First words' } },
        {
          attachment_id: 'a2',
          query: {
            title: 'Corrected',
            description: 'Better',
            query: 'SELECT 2',
            query_result_metadata: { row_count: 3, is_truncated: false },
          },
        },
        { attachment_id: 't2', text: { content: 'Final words', purpose: 'TEXT_ATTACHMENT_PURPOSE_ANSWER' } },
        { attachment_id: 'sq', suggested_questions: { questions: ['Compare with last month', ' Compare with last month ', 'By product'] } },
      ],
    };
    const answer = readAnswer(ref, message);
    assert.equal(answer.query?.attachmentId, 'a2');
    assert.equal(answer.query?.title, 'Corrected');
    assert.equal(answer.query?.sql, 'SELECT 2');
    assert.equal(answer.query?.rowCount, 3);
    assert.equal(answer.text, 'Final words');
    assert.equal(answer.clarification, undefined);
    assert.deepEqual(answer.suggestedQuestions, ['Compare with last month', 'By product']);
  });

  it('recognises a clarifying question', () => {
    const answer = readAnswer(ref, {
      status: 'COMPLETED',
      attachments: [{ attachment_id: 'x', text: { content: 'By revenue or by orders?', purpose: 'FOLLOW_UP_QUESTION' } }],
    });
    assert.equal(answer.clarification, 'By revenue or by orders?');
    assert.equal(answer.text, undefined);
    assert.equal(answer.query, undefined);
  });
});
