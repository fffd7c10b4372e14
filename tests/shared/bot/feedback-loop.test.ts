import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_FEEDBACK_COMMENT_CHARS, parseTeamsFeedback } from '../../../shared/bot/feedback-loop';

const press = (reaction: unknown, feedback?: unknown) => ({ actionName: 'feedback', actionValue: { reaction, feedback } });

describe("parseTeamsFeedback: Teams' message/submitAction value", () => {
  it('maps like/dislike to Genie ratings and the JSON-encoded text to the comment', () => {
    assert.deepEqual(parseTeamsFeedback(press('like', '{"feedbackText":" Spot on "}')), { rating: 'POSITIVE', comment: 'Spot on' });
    assert.deepEqual(parseTeamsFeedback(press('dislike', '{"feedbackText":""}')), { rating: 'NEGATIVE' });
  });

  it('keeps the rating when the text is missing or unreadable, and bounds the comment', () => {
    assert.deepEqual(parseTeamsFeedback(press('like')), { rating: 'POSITIVE' });
    assert.deepEqual(parseTeamsFeedback(press('like', 'not json')), { rating: 'POSITIVE' });
    const long = parseTeamsFeedback(press('dislike', JSON.stringify({ feedbackText: 'x'.repeat(5_000) })));
    assert.equal(long?.comment?.length, MAX_FEEDBACK_COMMENT_CHARS);
  });

  it('refuses other actions and reactions', () => {
    assert.equal(parseTeamsFeedback({ actionName: 'other', actionValue: { reaction: 'like' } }), undefined);
    assert.equal(parseTeamsFeedback(press('love')), undefined);
    assert.equal(parseTeamsFeedback(null), undefined);
  });
});
