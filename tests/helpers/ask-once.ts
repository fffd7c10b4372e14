import { metrics, type ProxyTracerProvider, trace } from '@opentelemetry/api';

import { startDevHost } from '../../dev/host';
import type { MetricsDocument } from '../../shared/telemetry';
import { eventually } from './servers';

/**
 * A fresh process that serves the app the way the host does (the dev host: deploy/, the bundle that ships,
 * unless APP_DIR names another build), posts the activity in ASK_ACTIVITY to /api/messages, waits until this
 * instance has answered it, flushes OpenTelemetry's global providers and prints the /api/metrics
 * document. Configuration comes from the environment, as under the host: a test runs it with
 * APPLICATIONINSIGHTS_CONNECTION_STRING (and NODE_EXTRA_CA_CERTS) pointing at a fake ingestion endpoint.
 */
async function askOnce(): Promise<MetricsDocument> {
  const host = await startDevHost({
    port: 0,
    ...(process.env.APP_DIR ? { appDir: process.env.APP_DIR } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const posted = await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: process.env.ASK_ACTIVITY,
    });
    if (posted.status !== 200) throw new Error(`webhook answered ${posted.status}`);
    // Reading the metrics also counts sessions, which the sessions.active gauge reports.
    const document = await eventually(
      async () => {
        const current = (await (await fetch(`${host.url}/api/metrics`)).json()) as MetricsDocument;
        const { answered, failed, answering } = current.questions;
        // Not answering any more: the genie.answer span has ended too, so the flush below carries it.
        return answered + failed > 0 && answering === 0 && current;
      },
      30_000,
      'the answer',
    );
    // Global providers, so this reaches the app's SDK even when the app carries its own copy (a bundle).
    await (metrics.getMeterProvider() as { forceFlush?: () => Promise<void> }).forceFlush?.();
    await ((trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as { forceFlush?: () => Promise<void> }).forceFlush?.();
    return document;
  } finally {
    await host.close();
  }
}

askOnce().then(
  (document) => {
    process.stdout.write(JSON.stringify(document));
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
