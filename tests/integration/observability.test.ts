import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Meter } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { type FakeConnector, startFakeConnector, userMessage } from '../../dev/fake-connector';
import { type GenieEmulator, startGenieEmulator } from '../../dev/genie-emulator';
import { type BotApp, createBotApp } from '../../shared/app';
import { handleWebhook } from '../../shared/bot';
import { loadConfig } from '../../shared/config';
import type { InlineDispatcher } from '../../shared/state';
import { TEST_ENV } from '../helpers/env';

const QUESTION = 'What were sales for ACME-SECRET-CUSTOMER last week?';
const CELL = 'CELLVALUE-9137';
const GENIE_TOKEN = 'dapi-super-secret-token-4242';

/** Counts instrument creation, to show instruments are made once per process, not per event. */
function countingMeter(meter: Meter): { meter: Meter; created: () => number } {
  let created = 0;
  const proxy = new Proxy(meter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value === 'function' && String(property).startsWith('create')) {
        return (...args: unknown[]) => {
          created++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  return { meter: proxy, created: () => created };
}

describe('observability of a full question and answer', () => {
  let genie: GenieEmulator;
  let connector: FakeConnector;
  const captured: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

  /** Runs one question through an app built with `env`, capturing every log line, span and metric. */
  async function run(env: Record<string, string>, conversationId: string) {
    const config = loadConfig({
      ...TEST_ENV,
      DATABRICKS_HOST: genie.url,
      GENIE_SPACE_ID: genie.spaceId,
      DATABRICKS_TOKEN: GENIE_TOKEN,
      STATUS_MESSAGE_DELAY_SECONDS: '0',
      ...env,
    });
    assert.ok(config.ok);
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 3_600_000,
    });
    const spans = new InMemorySpanExporter();
    const counting = countingMeter(new MeterProvider({ readers: [reader] }).getMeter('test'));
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
    const app: BotApp = await createBotApp(config.config, {
      logSink: (_level, line) => captured.push(line),
      otel: { meter: counting.meter, tracer },
    });
    const createdAtStart = counting.created();
    const body = Buffer.from(JSON.stringify(userMessage(connector.url, QUESTION, { conversationId })));
    const result = await handleWebhook({ method: 'POST', headers: {}, body }, app.host, false, (context) => app.bot.run(context));
    app.telemetry.webhookHandled(result.activityType, 3);
    assert.equal(result.status, 200);
    await (app.dispatcher as InlineDispatcher).idle();
    await connector.waitFor(() => connector.messages(conversationId).some((m) => JSON.stringify(m.activity).includes(CELL)));
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    return { app, metrics, spans: spans.getFinishedSpans(), createdAtStart, createdAtEnd: counting.created() };
  }

  before(async () => {
    genie = await startGenieEmulator({ demo: false, tokens: [GENIE_TOKEN] });
    connector = await startFakeConnector();
    genie.script(QUESTION, {
      text: 'Here are the sales.',
      queries: [
        {
          title: 'Sales',
          sql: "SELECT * FROM sales WHERE customer = 'ACME'",
          result: {
            columns: [
              { name: 'note', type_name: 'STRING' },
              { name: 'n', type_name: 'INT' },
            ],
            rows: [[CELL, '1']],
          },
        },
      ],
    });
    // Everything written to stdout/stderr during the flow (botbuilder's own console lines included).
    process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return writes.out(chunk, ...(rest as []));
    };
    process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(String(chunk));
      return writes.err(chunk, ...(rest as []));
    };
  });
  after(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await connector.close();
    await genie.close();
  });

  it('records the metrics by their stable names, once-made instruments, and low-cardinality attributes only', async () => {
    const { metrics, spans, createdAtStart, createdAtEnd } = await run({ LOG_LEVEL: 'debug' }, 'a:observed');
    assert.equal(createdAtEnd, createdAtStart, 'no instrument made per event');
    assert.equal(createdAtStart, 12, '9 instruments (bot.policy.refusals among them) and 3 observable gauges/counters');
    const byName = new Map(metrics.map((m) => [m.descriptor.name, m]));
    for (const name of [
      'genie.questions',
      'genie.answer.duration',
      'genie.wait.duration',
      'genie.api.calls',
      'genie.api.duration',
      'bot.webhook.duration',
    ]) {
      assert.ok(byName.has(name), `${name} recorded`);
    }
    assert.equal(byName.get('genie.answer.duration')?.descriptor.unit, 'ms');
    const questions = byName.get('genie.questions')!.dataPoints[0]!;
    assert.deepEqual(questions.attributes, { outcome: 'answered', reason: 'none' });
    const allowed: Record<string, RegExp> = {
      outcome: /^(answered|clarification|failed)$/,
      reason: /^[a-z_]+$/,
      endpoint: /^[a-z-]+$/,
      status_class: /^(2xx|3xx|4xx|5xx|timeout|network)$/,
      activity_type: /^[A-Za-z]+$/,
    };
    for (const metric of metrics) {
      for (const point of metric.dataPoints) {
        for (const [key, value] of Object.entries(point.attributes)) {
          assert.ok(
            allowed[key]?.test(String(value)),
            `${metric.descriptor.name}: attribute ${key}=${String(value)} is not a known low-cardinality code`,
          );
        }
      }
    }
    const names = new Set(spans.map((s) => s.name));
    assert.ok(
      names.has('genie.answer') && names.has('genie.api get-message') && names.has('genie.api start-conversation'),
      [...names].join(', '),
    );
  });

  it('keeps the token, the question and result values out of every log line, span and metric', async () => {
    captured.length = 0;
    const { metrics, spans } = await run({ LOG_LEVEL: 'debug' }, 'a:private');
    const everything = [
      ...captured,
      JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events }))),
      JSON.stringify(metrics),
    ].join('\n');
    assert.ok(captured.length > 3, 'the flow logged');
    for (const secret of [GENIE_TOKEN, 'ACME-SECRET-CUSTOMER', CELL]) assert.ok(!everything.includes(secret), `${secret} leaked`);
  });

  it('shows the question and a compact payload only when LOG_QUESTION_TEXT asks for it', async () => {
    captured.length = 0;
    await run({ LOG_LEVEL: 'debug', LOG_QUESTION_TEXT: 'true' }, 'a:debugging');
    const logged = captured.join('\n');
    assert.ok(logged.includes('ACME-SECRET-CUSTOMER'), 'the question is logged when asked for');
    assert.ok(logged.includes(CELL), 'the payload is logged at debug');
    assert.ok(!logged.includes(GENIE_TOKEN), 'never the token');
    assert.ok(
      captured.every((line) => !line.includes('\n  ')),
      'compact JSON, no pretty printing',
    );
  });
});
