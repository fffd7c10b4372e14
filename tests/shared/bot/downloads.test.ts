import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';

import { FullResultDownloads } from '../../../shared/bot/downloads';
import { askGenie } from '../../../shared/genie';
import { messagesFor } from '../../../shared/i18n';
import type { JobValue } from '../../../shared/state';
import { emulatedClient, recordingLogger, RecordingSender, useEmulatedGenie } from './fixtures';

const en = messagesFor('en-US');

describe('FullResultDownloads: the click, the wait and what the chat shows', () => {
  const emulated = useEmulatedGenie();
  afterEach(() => emulated.genie.reset());

  const client = () => emulatedClient(emulated);

  async function answered(question: string, download: { pendingMs?: number }) {
    emulated.genie.script(question, {
      queries: [{ title: 'All', sql: 'SELECT *', result: { generate: { rows: 40, columns: 2 } }, download }],
    });
    const { answer } = await askGenie(client(), { question, clock: emulated.clock, random: () => 0.5 });
    const job = { id: 'job-1', reference: { conversation: { id: 'a:chat' } }, userHash: 'u' } as unknown as JobValue;
    return { ref: answer.ref, job };
  }

  it('says it is preparing, then puts the link card in that line’s place', async () => {
    const { ref, job } = await answered('all rows', { pendingMs: 3_000 });
    const sender = new RecordingSender();
    const downloads = new FullResultDownloads({ sender, logger: recordingLogger(), clock: emulated.clock });
    const response = FullResultDownloads.started(en);
    assert.deepEqual([response.statusCode, response.value], [200, en.text('download.started')], 'the click’s own answer');
    await downloads.prepare(job, ref, client(), en);
    assert.equal(emulated.genie.stats().requests['generate-download'], 1);
    const [preparing, ready] = sender.messages;
    assert.equal(preparing?.activity.text, en.text('download.preparing', { rows: 40 }));
    assert.equal(ready?.kind, 'update');
    assert.equal(ready?.activityId, 'sent-1');
    assert.match(JSON.stringify(ready?.activity.attachments), /All 40 rows of this answer are ready \(CSV\)/);
    assert.equal(sender.messages.length, 2);
  });

  it('tells the person plainly when the file takes longer than the wait', async () => {
    const { ref, job } = await answered('slow rows', { pendingMs: 30 * 60_000 });
    const sender = new RecordingSender();
    const logger = recordingLogger();
    const downloads = new FullResultDownloads({ sender, logger, clock: emulated.clock });
    await downloads.prepare(job, ref, client(), en);
    assert.equal(sender.messages.at(-1)?.activity.text, en.text('download.tooSlow'));
    assert.ok(logger.events().includes('download.failed'));
  });

  it('sends the card as a new message when the "preparing" line cannot be replaced', async () => {
    const { ref, job } = await answered('rows again', { pendingMs: 0 });
    const sender = new (class extends RecordingSender {
      override update(): Promise<void> {
        return Promise.reject(new Error('412 from the connector'));
      }
    })();
    const logger = recordingLogger();
    const downloads = new FullResultDownloads({ sender, logger, clock: emulated.clock });
    await downloads.prepare(job, ref, client(), en);
    assert.deepEqual(
      sender.messages.map((m) => m.kind),
      ['send', 'send'],
    );
    assert.match(JSON.stringify(sender.messages[1]?.activity.attachments), /Open the file/);
    assert.ok(logger.events().includes('download.replace_failed'));
  });
});
