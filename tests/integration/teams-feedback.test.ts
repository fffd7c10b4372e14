import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, userMessage } from '../../dev/fake-connector';
import type { GenieEmulator } from '../../dev/genie-emulator';
import { type BotHarness, startBotHarness } from '../helpers/harness';

/** What Teams posts when someone presses its own 👍/👎 under the bot's message `replyToId` (teams-ai.md). */
function submitAction(
  serviceUrl: string,
  conversationId: string,
  replyToId: string,
  reaction: 'like' | 'dislike',
  feedbackText?: string,
): Record<string, unknown> {
  return {
    ...userMessage(serviceUrl, '', { conversationId }),
    type: 'invoke',
    name: 'message/submitAction',
    replyToId,
    value: {
      actionName: 'feedback',
      actionValue: { reaction, feedback: JSON.stringify(feedbackText === undefined ? {} : { feedbackText }) },
    },
  };
}

/** Every object in a JSON tree, depth first. */
function* objectsIn(node: unknown): Generator<Record<string, unknown>> {
  if (typeof node !== 'object' || node === null) return;
  if (!Array.isArray(node)) yield node as Record<string, unknown>;
  for (const child of Object.values(node)) yield* objectsIn(child);
}

/** The card's own button with that rating, as Teams would post its Action.Execute. */
function cardButtonInvoke(
  serviceUrl: string,
  conversationId: string,
  answer: Record<string, unknown>,
  rating: string,
): Record<string, unknown> {
  const button = [...objectsIn(answer.attachments)].find(
    (o) => o.type === 'Action.Execute' && (o.data as { rating?: string } | undefined)?.rating === rating,
  );
  assert.ok(button, `the card has a ${rating} button`);
  return {
    ...userMessage(serviceUrl, '', { conversationId }),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb: button.verb, data: button.data } },
  };
}

describe("Teams' own feedback buttons reach Genie for the answer they sit under (over real HTTP)", () => {
  let harness: BotHarness;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    harness = await startBotHarness({ STATUS_MESSAGE_DELAY_SECONDS: '0.3' });
    ({ genie, connector } = harness);
  });
  after(() => harness.close());

  /** Asks and returns the answer as the connector shows it (a replaced status line keeps its id). */
  async function answerIn(
    conversationId: string,
    question: string,
  ): Promise<{ id: string; activity: Record<string, unknown>; updates: number }> {
    const answers = () => connector.messages(conversationId).filter((m) => Array.isArray(m.activity.attachments));
    const before = answers().length;
    assert.equal((await harness.post(userMessage(connector.url, question, { conversationId }))).status, 200);
    await connector.waitFor(() => answers().length > before);
    return answers().at(-1)!;
  }

  it('turns the feedback loop on and sends rating and comment once, for that Genie message', async () => {
    const conversationId = 'a:teams-feedback';
    // Two answers in the chat: the rating must reach the one the buttons sit under.
    const first = await answerIn(conversationId, 'first question');
    await answerIn(conversationId, 'second question');
    assert.deepEqual((first.activity.channelData as Record<string, unknown>).feedbackLoop, { type: 'default' });
    assert.equal((first.activity.channelData as Record<string, unknown>).feedbackLoopEnabled, undefined, 'never both: Teams refuses it');

    const press = submitAction(connector.url, conversationId, first.id, 'dislike', 'Wrong year');
    const response = await harness.post({ ...press, id: 'press-1' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {});
    // Teams redelivers; the person presses the card's 👎 too: Genie still hears once.
    assert.equal((await harness.post({ ...press, id: 'press-2' })).status, 200);
    assert.equal((await harness.post(cardButtonInvoke(connector.url, conversationId, first.activity, 'NEGATIVE'))).status, 200);

    const asked = genie.messages().find((m) => m.content === 'first question')!;
    assert.deepEqual(
      genie.feedback().map((f) => [f.conversationId, f.messageId, f.rating, f.comment]),
      [[asked.conversationId, asked.messageId, 'NEGATIVE', 'Wrong year']],
    );
  });

  it("refuses feedback naming another chat's answer, and sends Genie nothing", async () => {
    const answer = await answerIn('a:teams-feedback-owner', 'owned question');
    const before = genie.feedback().length;
    const response = await harness.post(submitAction(connector.url, 'a:teams-feedback-other', answer.id, 'like'));
    assert.equal(response.status, 404);
    assert.equal(genie.feedback().length, before);
  });
});
