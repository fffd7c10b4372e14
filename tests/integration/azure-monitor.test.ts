import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import type { MetricsDocument } from '../../shared/telemetry';
import { TEST_ENV } from '../helpers/env';
import { type FakeIngestion, SDK_SELF_REPORTS_OFF, startFakeIngestion } from '../helpers/ingestion';

const QUESTION = 'Which region sold the most SECRET-WIDGETS?';
const CELL = 'REGION-NORTH-5521';
const GENIE_TOKEN = 'dapi-exporter-test-token-77';

/** The README's custom metrics that one answered question records, with the attributes each carries. */
const EXPECTED_METRICS: Record<string, Record<string, string>> = {
  'genie.questions': { outcome: 'answered', reason: 'none' },
  'genie.answer.duration': { outcome: 'answered' },
  'genie.wait.duration': {},
  'genie.api.calls': { endpoint: 'start-conversation', status_class: '2xx' },
  'genie.api.duration': { endpoint: 'start-conversation' },
  'bot.webhook.duration': { activity_type: 'message' },
  'sessions.active': {},
  'http.sockets.created': {},
  'http.sockets.reused': {},
};

describe('Application Insights through the real Azure Monitor exporter', () => {
  let ingestion: FakeIngestion;
  let genie: GenieEmulator;
  let connector: FakeConnector;

  before(async () => {
    [ingestion, genie, connector] = await Promise.all([
      startFakeIngestion(),
      startGenieEmulator({ demo: false, tokens: [GENIE_TOKEN] }),
      startFakeConnector(),
    ]);
    genie.script(QUESTION, {
      text: 'The region that sold most.',
      queries: [
        { title: 'Sales', sql: 'SELECT region FROM sales', result: { columns: [{ name: 'region', type_name: 'STRING' }], rows: [[CELL]] } },
      ],
    });
  });
  after(async () => {
    await Promise.all([connector.close(), genie.close(), ingestion.close()]);
  });

  it('sends the custom metrics and the genie.answer and genie.api spans, by name, with their attributes and nothing private', async () => {
    // A fresh process, configured like the host's: it trusts the fake endpoint's certificate from start-up.
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, '..', 'helpers', 'ask-once.js')], {
      timeout: 60_000,
      env: {
        ...process.env,
        ...TEST_ENV,
        DATABRICKS_HOST: genie.url,
        GENIE_SPACE_ID: genie.spaceId,
        DATABRICKS_TOKEN: GENIE_TOKEN,
        STATUS_MESSAGE_DELAY_SECONDS: '0',
        APPLICATIONINSIGHTS_CONNECTION_STRING: ingestion.connectionString,
        NODE_EXTRA_CA_CERTS: ingestion.caFile,
        ...SDK_SELF_REPORTS_OFF,
        ASK_ACTIVITY: JSON.stringify(userMessage(connector.url, QUESTION, { conversationId: 'a:exported' })),
      },
    });
    const document = JSON.parse(stdout) as MetricsDocument;
    assert.equal(document.setup.applicationInsights, true);
    assert.equal(document.questions.answered, 1);
    assert.ok(
      connector.messages('a:exported').some((m) => JSON.stringify(m.activity).includes(CELL)),
      'the user got the answer',
    );

    const metrics = ingestion.metrics();
    for (const [name, attributes] of Object.entries(EXPECTED_METRICS)) {
      const points = metrics.filter((m) => m.name === name);
      assert.ok(points.length > 0, `${name} arrived (got: ${[...new Set(metrics.map((m) => m.name))].join(', ')})`);
      assert.ok(
        points.some((point) => Object.entries(attributes).every(([key, value]) => point.properties[key] === value)),
        `${name} carries ${JSON.stringify(attributes)}: ${JSON.stringify(points.map((p) => p.properties))}`,
      );
    }
    assert.equal(metrics.find((m) => m.name === 'genie.questions')?.value, 1);
    // The gauge reports the count /api/metrics last made (counted at most once a minute).
    assert.equal(metrics.find((m) => m.name === 'sessions.active')?.value, document.sessions.active);

    const spans = ingestion.spans();
    assert.equal(
      spans.find((s) => s.name === 'genie.answer')?.baseType,
      'RequestData',
      'genie.answer is a consumer span: it lands in requests',
    );
    const start = spans.find((s) => s.name === 'genie.api start-conversation');
    assert.equal(start?.baseType, 'RemoteDependencyData');
    assert.equal(start.properties['genie.endpoint'], 'start-conversation');
    assert.equal(start.properties['genie.status_class'], '2xx');
    assert.ok(
      spans.some((s) => s.name === 'genie.api get-message'),
      spans.map((s) => s.name).join(', '),
    );

    const everything = JSON.stringify(ingestion.envelopes());
    for (const secret of [GENIE_TOKEN, 'SECRET-WIDGETS', CELL]) assert.ok(!everything.includes(secret), `${secret} was exported`);
  });
});
