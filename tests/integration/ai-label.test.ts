import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { type BotHarness, startBotHarness } from '../helpers/harness';

interface Citation {
  position: number;
  appearance: { name: string; abstract: string; text?: string };
}

function aiEntityOf(activity: Record<string, unknown>): { additionalType?: string[]; citation?: Citation[] } | undefined {
  const entities = (activity.entities ?? []) as Record<string, unknown>[];
  const roots = entities.filter((e) => e.type === 'https://schema.org/Message');
  assert.ok(roots.length <= 1, 'one root message entity at most: Teams refuses two');
  return roots[0];
}

describe('answers carry the AI label and cite their sources (what the fake connector receives)', () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    harness = await startBotHarness();
    ({ genie, connector } = harness);
  });
  after(() => harness.close());

  it('labels the answer and cites the tables, the instructions and the query, marked [n] in the text', async () => {
    genie.script('Revenue by region?', {
      steps: [
        { status: 'SUBMITTED', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 50 },
      ],
      queries: [
        {
          title: 'Revenue by region',
          sql: 'SELECT c.region, SUM(o.revenue) AS revenue\nFROM demo.sales.orders o\nJOIN demo.sales.customers c ON o.customer_id = c.customer_id\nGROUP BY 1',
          thoughts: [
            { type: 'THOUGHT_TYPE_DATA_SOURCING', content: 'Orders in `demo.sales.orders`, regions in `demo.sales.customers`.' },
            { type: 'THOUGHT_TYPE_INSTRUCTIONS', content: 'Revenue is net of returns.' },
          ],
          result: { columns: [{ name: 'region', type_name: 'STRING' }], rows: [['EMEA']] },
        },
      ],
      text: 'EMEA leads.',
    });
    const conversationId = 'a:ai-label';
    assert.equal((await harness.post(userMessage(connector.url, 'Revenue by region?', { conversationId }))).status, 200);
    await connector.waitFor(() => connector.messages(conversationId).some((m) => Array.isArray(m.activity.attachments)));
    const answer = connector.messages(conversationId).find((m) => Array.isArray(m.activity.attachments))!.activity;
    const entity = aiEntityOf(answer);
    assert.deepEqual(entity?.additionalType, ['AIGeneratedContent']);
    assert.deepEqual(
      entity?.citation?.map((c) => c.appearance.name),
      ['demo.sales.orders', 'demo.sales.customers', 'Instructions of this Genie space', 'Revenue by region'],
    );
    assert.match(entity?.citation?.[3]?.appearance.text ?? '', /How Genie answered/);
    // One part: the markers are the card's last line, not text beside it (which Teams shows as a second message).
    assert.equal(answer.text, undefined);
    assert.ok(JSON.stringify(answer.attachments).includes('Sources: [1] [2] [3] [4]'), 'the card carries the markers');
  });

  it('labels a clarification too, without citations', async () => {
    genie.script('Sales?', { text: undefined, clarification: 'Which year do you mean?' });
    const conversationId = 'a:ai-label-clarify';
    await harness.post(userMessage(connector.url, 'Sales?', { conversationId }));
    await connector.waitFor(() => connector.messages(conversationId).some((m) => Array.isArray(m.activity.attachments)));
    const answer = connector.messages(conversationId).find((m) => Array.isArray(m.activity.attachments))!.activity;
    assert.deepEqual(aiEntityOf(answer)?.additionalType, ['AIGeneratedContent']);
    assert.equal(aiEntityOf(answer)?.citation, undefined);
  });
});
