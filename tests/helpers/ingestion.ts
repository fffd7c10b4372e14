import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { generate } from 'selfsigned';

/** One telemetry item as the Azure Monitor exporter sends it (the Breeze v2.1 envelope). */
export interface TelemetryEnvelope {
  readonly name: string;
  readonly time: string;
  readonly iKey?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly data?: { readonly baseType: string; readonly baseData: Readonly<Record<string, unknown>> };
}

/** A custom metric point: envelopes of baseType MetricData hold one or more. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly count?: number;
  readonly properties: Readonly<Record<string, string>>;
}

/** A span: RequestData (server and consumer spans) or RemoteDependencyData (client and internal spans). */
export interface SpanItem {
  readonly baseType: 'RequestData' | 'RemoteDependencyData';
  readonly name: string;
  readonly properties: Readonly<Record<string, string>>;
}

export interface FakeIngestion {
  /** Points the exporter's track and Live Metrics calls at this server. */
  readonly connectionString: string;
  /**
   * The server's self-signed certificate (PEM file): the exporter speaks HTTPS only, so the process
   * running it trusts this through NODE_EXTRA_CA_CERTS, which Node reads at start-up.
   */
  readonly caFile: string;
  /** Every envelope received on POST /v2.1/track so far. */
  envelopes(): readonly TelemetryEnvelope[];
  metrics(): readonly MetricPoint[];
  spans(): readonly SpanItem[];
  close(): Promise<void>;
}

export const FAKE_INSTRUMENTATION_KEY = '00000000-0000-4000-8000-000000000000';

/**
 * The SDK's own usage reports (statsbeat, SDK stats) go to fixed Microsoft endpoints and to the
 * Azure instance metadata service, and hold the process open for a while: off, so a test process
 * talks to loopback only and exits when done. Read when the exporter starts.
 */
export const SDK_SELF_REPORTS_OFF: Readonly<Record<string, string>> = {
  APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
  APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
  APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/**
 * A loopback Application Insights ingestion endpoint over HTTPS: accepts what the exporter posts
 * to `/v2.1/track` (a JSON array of envelopes, gzip or not), answers as the service does (200 with
 * itemsReceived/itemsAccepted), and keeps every envelope for assertions. Live Metrics calls are
 * answered "not subscribed", so the SDK stays quiet.
 */
export async function startFakeIngestion(): Promise<FakeIngestion> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'fake-ingestion-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pems.cert);

  const received: TelemetryEnvelope[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'https://ingestion').pathname;
    const body = await readBody(req);
    if (req.method === 'POST' && path === '/v2.1/track') {
      const items = JSON.parse(body.toString('utf8')) as TelemetryEnvelope[];
      received.push(...items);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
      return;
    }
    res.writeHead(200, { 'x-ms-qps-subscribed': 'false' }).end();
  };
  const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const metrics = (): MetricPoint[] =>
    received.flatMap((envelope) => {
      if (envelope.data?.baseType !== 'MetricData') return [];
      const { metrics: points = [], properties = {} } = envelope.data.baseData as {
        metrics?: { name: string; value: number; count?: number }[];
        properties?: Record<string, string>;
      };
      return points.map((point) => ({ ...point, properties }));
    });
  const spans = (): SpanItem[] =>
    received.flatMap((envelope) => {
      const baseType = envelope.data?.baseType;
      if (baseType !== 'RequestData' && baseType !== 'RemoteDependencyData') return [];
      const { name = '', properties = {} } = envelope.data!.baseData as { name?: string; properties?: Record<string, string> };
      return [{ baseType, name, properties }];
    });
  return {
    connectionString: `InstrumentationKey=${FAKE_INSTRUMENTATION_KEY};IngestionEndpoint=${url}/;LiveEndpoint=${url}/`,
    caFile,
    envelopes: () => received,
    metrics,
    spans,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}
