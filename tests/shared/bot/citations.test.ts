import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { aiLabelFor, CITATION_LIMITS, tablesOf } from '../../../shared/bot/citations';
import type { GenieAnswer } from '../../../shared/genie';
import { messagesFor } from '../../../shared/i18n';

const REF = { spaceId: 's', conversationId: 'c', messageId: 'm' };
const en = messagesFor('en-US');

function answerWith(query: GenieAnswer['query']): GenieAnswer {
  return { ref: REF, status: 'COMPLETED', text: 'EMEA leads.', suggestedQuestions: [], ...(query ? { query } : {}) };
}

describe('the AI label and citations of a Genie answer', () => {
  it('labels an answer without a query, with no citations and no text referring to any', () => {
    const label = aiLabelFor({ ref: REF, status: 'COMPLETED', clarification: 'Which year?', suggestedQuestions: [] }, en);
    assert.deepEqual(label.entity.additionalType, ['AIGeneratedContent']);
    assert.equal(label.entity.citation, undefined);
    assert.equal(label.text, undefined);
  });

  it('cites the tables of the data-sourcing thought, the instructions, then the query with "How Genie answered"', () => {
    const label = aiLabelFor(
      answerWith({
        attachmentId: 'a1',
        title: 'Revenue by region',
        sql: 'SELECT region FROM other.schema.ignored',
        thoughts: [
          { type: 'THOUGHT_TYPE_DATA_SOURCING', content: 'Orders are in `main.sales.orders`, regions in main.sales.customers.' },
          { type: 'THOUGHT_TYPE_INSTRUCTIONS', content: 'Revenue is net of returns.' },
          { type: 'THOUGHT_TYPE_STEPS', content: '1. Sum revenue per region.' },
        ],
      }),
      en,
    );
    const citations = label.entity.citation ?? [];
    assert.deepEqual(
      citations.map((c) => [c.position, c.appearance.name]),
      [
        [1, 'main.sales.orders'],
        [2, 'main.sales.customers'],
        [3, 'Instructions of this Genie space'],
        [4, 'Revenue by region'],
      ],
    );
    assert.equal(citations[2]?.appearance.abstract, 'Revenue is net of returns.');
    const how = JSON.parse(citations[3]?.appearance.text ?? '{}') as { type: string; body: { text: string }[] };
    assert.equal(how.type, 'AdaptiveCard');
    const texts = how.body.map((e) => e.text);
    assert.ok(texts.includes('How Genie answered'));
    assert.ok(texts.some((t) => t.includes('Sum revenue per region')));
    assert.ok(texts.some((t) => t.includes('SELECT region')));
    assert.equal(label.text, 'Sources: [1] [2] [3] [4]');
  });

  it('reads the tables from the SQL when Genie gave no data-sourcing thought', () => {
    assert.deepEqual(
      tablesOf({
        attachmentId: 'a1',
        sql: 'SELECT * FROM demo.sales.orders o\nLEFT JOIN `demo`.`sales`.`customers` c ON o.id = c.id WHERE x IN (SELECT y FROM demo.sales.orders)',
      }),
      ['demo.sales.orders', 'demo.sales.customers'],
    );
  });

  it('keeps within Teams limits: 20 citations, names of 80 and abstracts of 160 characters', () => {
    const tables = Array.from({ length: 30 }, (_, i) => `catalog.schema.t${i}_${'x'.repeat(100)}`);
    const label = aiLabelFor(
      answerWith({ attachmentId: 'a1', description: 'd'.repeat(500), sql: tables.map((t) => `SELECT 1 FROM ${t}`).join(' UNION ALL ') }),
      en,
    );
    const citations = label.entity.citation ?? [];
    assert.equal(citations.length, CITATION_LIMITS.perMessage);
    assert.equal(citations.at(-1)?.appearance.name, 'The query Genie ran', 'the query itself is always cited');
    for (const c of citations) {
      assert.ok(c.appearance.name.length <= CITATION_LIMITS.nameChars);
      assert.ok(c.appearance.abstract.length <= CITATION_LIMITS.abstractChars);
    }
  });

  it('speaks the asker’s language', () => {
    const label = aiLabelFor(answerWith({ attachmentId: 'a1', sql: 'SELECT 1 FROM a.b' }), messagesFor('zh-TW'));
    assert.equal(label.text, '來源：[1] [2]');
  });
});
