import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { type FakeConnector, startFakeConnector } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { createBotApp } from '../../shared/app';
import { AnswerWorker } from '../../shared/bot';
import { loadConfig } from '../../shared/config';
import type { GenieClient } from '../../shared/genie';
import { type Azurite, startAzurite } from '../helpers/azurite';
import { TEST_ENV } from '../helpers/env';

/** What a process crash looks like from the job's point of view: the worker stops mid-wait. */
class Crash extends Error {
  override name = 'Crash';
}

describe('a worker that dies after asking Genie (two instances sharing Azure Table state)', () => {
  let azurite: Azurite;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    [azurite, genie, connector] = await Promise.all([startAzurite(), startGenieEmulator({ demo: false }), startFakeConnector()]);
  });
  after(async () => {
    await Promise.all([connector.close(), genie.close(), azurite.stop()]);
  });

  it('is resumed by the next attempt on another instance without asking Genie again', async () => {
    const result = loadConfig({
      ...TEST_ENV,
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: genie.token,
      AzureWebJobsStorage: azurite.connectionString,
      ANSWER_DISPATCH: 'queue',
      STATUS_MESSAGE_DELAY_SECONDS: '0',
    });
    assert.ok(result.ok);
    const [first, second] = await Promise.all([createBotApp(result.config), createBotApp(result.config)]);
    genie.script('slow revenue question', {
      text: 'revenue is up',
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 1_500 },
      ],
    });

    const job = await first.state.jobs.create({
      id: 'job-resume-1',
      chatKey: 'tenant|a:resume',
      question: 'slow revenue question',
      reference: {
        serviceUrl: connector.url,
        conversation: { id: 'a:resume' },
        channelId: 'msteams',
        bot: { id: '28:bot' },
        user: { id: '29:u' },
      },
    });

    // Instance one asks, records the ids, then dies while waiting.
    const dying = Object.create(first.genie) as GenieClient;
    dying.getMessage = () => Promise.reject(new Crash('instance recycled'));
    const doomed = new AnswerWorker({
      config: first.config,
      state: first.state,
      sender: first.host,
      genie: () => Promise.resolve(dying),
      logger: first.logger,
      telemetry: first.telemetry,
      defer: (message, delayMs) => first.dispatcher.dispatch(message, { delayMs }),
    });
    await assert.rejects(doomed.process({ jobId: job.id }, 1), Crash);
    const recorded = await second.state.jobs.get(job.id);
    assert.equal(recorded?.value.state, 'asked', 'the Genie ids were recorded before waiting');
    assert.ok(recorded?.value.genie?.messageId);

    // The queue hands the message to instance two.
    await second.worker.process({ jobId: job.id }, 2);
    const stats = genie.stats();
    assert.equal(stats.requests['start-conversation'], 1, 'asked once');
    assert.equal(stats.requests['create-message'], 0);
    assert.equal(genie.messages()[0]?.messageId, recorded?.value.genie?.messageId, 'the recorded message was resumed');
    assert.equal(connector.messages('a:resume').length, 1);
    assert.match(JSON.stringify(connector.messages('a:resume')[0]?.activity), /revenue is up/);

    // A third delivery of the same message (the host retrying again) sends nothing more.
    await first.worker.process({ jobId: job.id }, 3);
    assert.equal(connector.messages('a:resume').length, 1, 'already answered: nothing sent');
    assert.equal(genie.stats().requests['start-conversation'], 1);
  });
});
