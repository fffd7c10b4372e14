import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector } from '../../dev/fake-connector';

/** One stream request as the bot sends it, over HTTP. */
function streamRequest(
  connector: FakeConnector,
  conversationId: string,
  info: Record<string, unknown>,
  conversationType = 'personal',
): Promise<Response> {
  const type = info.streamType === 'final' ? 'message' : 'typing';
  return fetch(`${connector.url}/v3/conversations/${encodeURIComponent(conversationId)}/activities`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type,
      text: 'Working…',
      conversation: { id: conversationId, conversationType },
      entities: [{ type: 'streaminfo', ...info }],
    }),
  });
}

async function start(connector: FakeConnector, conversationId: string): Promise<string> {
  const response = await streamRequest(connector, conversationId, { streamType: 'informative', streamSequence: 1 });
  assert.equal(response.status, 200);
  return ((await response.json()) as { id: string }).id;
}

describe("the fake connector holds streams to Teams' rules, so a test of the bot's stream can fail", () => {
  let connector: FakeConnector;

  before(async () => {
    connector = await startFakeConnector({ streams: { minIntervalMs: 0 } });
  });
  after(() => connector.close());

  it('takes a stream that follows the rules, and keeps its id for the final message', async () => {
    const streamId = await start(connector, 'a:fine');
    assert.equal((await streamRequest(connector, 'a:fine', { streamType: 'informative', streamId, streamSequence: 2 })).status, 200);
    const final = await streamRequest(connector, 'a:fine', { streamType: 'final', streamId });
    assert.equal(final.status, 200);
    assert.deepEqual(await final.json(), { id: streamId });
    assert.deepEqual(
      connector.messages('a:fine').map((m) => m.id),
      [streamId],
    );
  });

  it('refuses a sequence number that does not rise, and a first update that is not number 1', async () => {
    const streamId = await start(connector, 'a:sequence');
    assert.equal((await streamRequest(connector, 'a:sequence', { streamType: 'informative', streamId, streamSequence: 1 })).status, 400);
    assert.equal((await streamRequest(connector, 'a:other', { streamType: 'informative', streamSequence: 2 })).status, 400);
  });

  it('refuses anything after the final message, and a second open stream in the chat', async () => {
    const streamId = await start(connector, 'a:ended');
    assert.equal((await streamRequest(connector, 'a:ended', { streamType: 'informative', streamSequence: 1 })).status, 400);
    assert.equal((await streamRequest(connector, 'a:ended', { streamType: 'final', streamId })).status, 200);
    assert.equal((await streamRequest(connector, 'a:ended', { streamType: 'informative', streamId, streamSequence: 2 })).status, 403);
    assert.equal((await streamRequest(connector, 'a:ended', { streamType: 'final', streamId })).status, 403);
  });

  it('refuses streams outside personal chats', async () => {
    const response = await streamRequest(connector, '19:group@thread.v2', { streamType: 'informative', streamSequence: 1 }, 'groupChat');
    assert.equal(response.status, 400);
  });

  it('throttles updates sooner than the minimum interval, and refuses everything past the cap', async () => {
    const strict = await startFakeConnector({ streams: { minIntervalMs: 60_000, capMs: 60_000 } });
    try {
      const streamId = await start(strict, 'a:fast');
      assert.equal((await streamRequest(strict, 'a:fast', { streamType: 'informative', streamId, streamSequence: 2 })).status, 429);
    } finally {
      await strict.close();
    }
    const capped = await startFakeConnector({ streams: { minIntervalMs: 0, capMs: 0 } });
    try {
      const streamId = await start(capped, 'a:late');
      assert.equal((await streamRequest(capped, 'a:late', { streamType: 'final', streamId })).status, 403);
    } finally {
      await capped.close();
    }
  });
});
