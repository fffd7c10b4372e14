import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector, userMessage } from '../../../dev/fake-connector';
import { BotHost } from '../../../shared/bot';
import { referenceTo, testConfig } from './fixtures';

/**
 * What the Bot Connector receives must keep every field of `entities` and `channelData`:
 * botframework-connector 4.23.3's serializer keeps only the fields its Entity mapper names
 * (botbuilder-js #4902), which would drop the AI label, citations and streaminfo.
 */

const AI_MESSAGE = {
  type: 'https://schema.org/Message',
  '@type': 'Message',
  '@context': 'https://schema.org',
  additionalType: ['AIGeneratedContent'],
  citation: [
    {
      '@type': 'Claim',
      position: 1,
      appearance: { '@type': 'DigitalDocument', name: 'samples.nyctaxi.trips', abstract: 'The table Genie read', keywords: ['table'] },
    },
  ],
};
const STREAMINFO = { type: 'streaminfo', streamType: 'informative', streamSequence: 1 };
const MENTION = { type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:user-1', name: 'Ada' } };
const CHANNEL_DATA = { feedbackLoop: { type: 'default' }, notification: { alert: false } };

describe('BotHost: what the connector receives keeps entities and channelData intact', () => {
  let connector: FakeConnector;

  before(async () => {
    connector = await startFakeConnector();
  });
  after(() => connector.close());

  it('sends outside a turn: the AI label with its citations, a mention, and channelData', async () => {
    const host = new BotHost(testConfig().bot, () => Promise.resolve());
    await host.send(referenceTo(connector, 'a:entities'), {
      type: 'message',
      text: 'Answer [1] for <at>Ada</at>',
      entities: [AI_MESSAGE, MENTION],
      channelData: CHANNEL_DATA,
    });
    const sent = connector.messages('a:entities')[0]?.activity;
    assert.deepEqual(sent?.entities, [AI_MESSAGE, MENTION]);
    assert.deepEqual(sent?.channelData, CHANNEL_DATA);
  });

  it('sends a streaminfo typing activity as it is', async () => {
    const host = new BotHost(testConfig().bot, () => Promise.resolve());
    await host.send(referenceTo(connector, 'a:stream'), { type: 'typing', text: 'Writing the query…', entities: [STREAMINFO] });
    const typing = connector.received.find((r) => r.conversationId === 'a:stream');
    assert.deepEqual(typing?.activity.entities, [STREAMINFO]);
  });

  it('keeps them on an update', async () => {
    const host = new BotHost(testConfig().bot, () => Promise.resolve());
    const reference = referenceTo(connector, 'a:update-entities');
    const id = await host.send(reference, { type: 'message', text: 'looking' });
    await host.update(reference, id!, { text: 'Answer [1]', entities: [AI_MESSAGE], channelData: CHANNEL_DATA });
    const shown = connector.messages('a:update-entities')[0]?.activity;
    assert.deepEqual(shown?.entities, [AI_MESSAGE]);
    assert.deepEqual(shown?.channelData, CHANNEL_DATA);
  });

  it('keeps them on a reply inside a turn', async () => {
    // Without an app id botbuilder takes the request as anonymous and sends without a token: the turn's own path.
    let failure: unknown;
    const host = new BotHost(testConfig().bot, (_context, error) => Promise.resolve(void (failure = error)));
    const response = await host.process(
      {
        headers: {},
        body: userMessage(connector.url, 'hello', { conversationId: 'a:turn-entities' }),
      },
      () =>
        Promise.resolve(async (context) => {
          await context.sendActivity({ type: 'message', text: 'Answer [1]', entities: [AI_MESSAGE], channelData: CHANNEL_DATA });
        }),
    );
    assert.equal(failure, undefined);
    assert.equal(response.status, 200);
    const reply = connector.messages('a:turn-entities')[0]?.activity;
    assert.deepEqual(reply?.entities, [AI_MESSAGE]);
    assert.deepEqual(reply?.channelData, CHANNEL_DATA);
  });
});
