import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { userMessage } from '../../dev/fake-connector';
import type { MetricsDocument } from '../../shared/telemetry';
import { type BotHarness, startBotHarness } from '../helpers/harness';

/** A raw GET (fetch would decode gzip and hide the header we test). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const packageVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('GET /api/metrics', () => {
  let harness: BotHarness;
  before(async () => {
    harness = await startBotHarness();
  });
  after(() => harness.close());

  it('shows this instance’s live figures after a question, gzip-encoded when asked', async () => {
    const { host, connector } = harness;
    await harness.post(userMessage(connector.url, 'how many?', { conversationId: 'a:metrics' }));
    await connector.waitFor(() => connector.messages('a:metrics').length > 0);

    const response = await get(`${host.url}/api/metrics`, { 'Accept-Encoding': 'gzip' });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(response.headers.vary, 'Accept-Encoding');
    const decoded = gunzipSync(response.body);
    assert.ok(decoded.length >= 1024 && response.body.length < decoded.length, `${decoded.length} bytes sent as ${response.body.length}`);
    const metrics = JSON.parse(decoded.toString('utf8')) as MetricsDocument;
    assert.equal(metrics.status, 'ok');
    assert.ok(!Number.isNaN(Date.parse(metrics.timestamp)));
    assert.match(metrics.scope, /this instance’s only.*Application Insights/);
    assert.equal(typeof metrics.instance.id, 'string');
    assert.equal(typeof metrics.instance.coldStart, 'boolean');
    assert.equal(metrics.instance.coldStart, false, 'earlier requests paid for the cold start');
    assert.deepEqual(
      metrics.questions,
      { accepted: 1, answering: 0, answered: 1, clarification: 0, failed: 0, successRate: 1, failuresByReason: {} },
      'inline: one instance accepts and answers',
    );
    assert.equal(metrics.latencyMs.webhookAck.count, 1);
    const answer = metrics.latencyMs.answer;
    assert.ok(answer.p50 !== undefined && answer.p99 !== undefined && answer.p50 > 0 && answer.p99 >= answer.p50);
    assert.ok((metrics.genie.calls['get-message']?.['2xx'] ?? 0) >= 1);
    assert.equal(metrics.genie.calls['start-conversation']?.['2xx'], 1);
    assert.ok((metrics.genie.callLatencyMs['get-message']?.count ?? 0) >= 1);
    assert.deepEqual(metrics.setup, {
      version: packageVersion,
      stateStore: 'memory',
      dispatch: 'inline',
      botAuth: false,
      databricksAuth: 'pat',
      applicationInsights: false,
    });
    assert.ok(metrics.http && metrics.http.socketsCreated >= 1);
    assert.equal(metrics.sessions.active, 1);
    const { rssMb, heapUsedMb, cpuPercent, cpuWindowSeconds, cpuPercentSinceStart } = metrics.process;
    assert.ok(rssMb > 0 && heapUsedMb > 0 && heapUsedMb < rssMb, `${heapUsedMb} MB heap of ${rssMb} MB`);
    assert.ok(cpuPercent >= 0 && cpuPercentSinceStart > 0 && cpuWindowSeconds >= 0 && cpuWindowSeconds <= 70);

    const plain = await get(`${host.url}/api/metrics`);
    assert.equal(plain.headers['content-encoding'], undefined, 'identity for a client that does not ask for gzip');
    assert.equal((JSON.parse(plain.body.toString('utf8')) as { status: string }).status, 'ok');
  });
});
