import { request } from 'node:http';

import { startFakeConnector, userMessage } from '../dev/fake-connector';
import { startGenieEmulator } from '../dev/genie-emulator';
import { startDevHost } from '../dev/host';
import { reloadConfig } from '../shared/config';
import { askGenie, GenieClient, patTokenSource } from '../shared/genie';
import { KeepAliveHttpClient } from '../shared/http';
import { type Benchmark, type Figure, ratio, round } from './lib';

function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve(bytes));
    })
      .on('error', reject)
      .end();
  });
}

/** A 5,000-row sales result as BI questions return them: repeating regions, products, dates. */
function salesResult(rows: number) {
  const regions = ['EMEA', 'APAC', 'AMER', 'LATAM', 'MEA'];
  const categories = ['Laptops', 'Monitors', 'Accessories', 'Storage', 'Networking', 'Audio', 'Printers', 'Software'];
  const channels = ['Online', 'Retail', 'Partner'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  return {
    columns: [
      { name: 'order_date', type_name: 'DATE' },
      { name: 'region', type_name: 'STRING' },
      { name: 'category', type_name: 'STRING' },
      { name: 'product', type_name: 'STRING' },
      { name: 'channel', type_name: 'STRING' },
      { name: 'customer_id', type_name: 'STRING' },
      { name: 'units', type_name: 'INT' },
      { name: 'unit_price', type_name: 'DECIMAL', type_text: 'DECIMAL(10,2)', type_scale: 2 },
      { name: 'revenue', type_name: 'DECIMAL', type_text: 'DECIMAL(18,2)', type_scale: 2 },
      { name: 'discount', type_name: 'DOUBLE' },
      { name: 'returned', type_name: 'BOOLEAN' },
    ],
    rows: Array.from({ length: rows }, (_, i) => {
      const units = 1 + Math.floor(next() * 20);
      const price = 20 + Math.floor(next() * 200) * 5;
      const category = pick(categories);
      return [
        `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        pick(regions),
        category,
        `${category} model ${1 + Math.floor(next() * 12)}`,
        pick(channels),
        `C${String(Math.floor(next() * 900)).padStart(6, '0')}`,
        String(units),
        `${price}.00`,
        `${units * price}.00`,
        pick(['0.0', '0.05', '0.1', '0.15']),
        next() < 0.03 ? 'true' : 'false',
      ];
    }),
  };
}

/**
 * 7. Network: bytes on the wire for a 5,000-row result with and without gzip from the emulator, and
 * for /api/metrics with and without Accept-Encoding: gzip.
 */
export const network: Benchmark = async ({ log }) => {
  const figures: Figure[] = [];
  const genie = await startGenieEmulator({ demo: false });
  genie.script('sales', { queries: [{ title: 'sales', sql: 'SELECT * FROM sales', result: salesResult(5_000) }] });
  genie.script('synthetic', { queries: [{ title: 'all', sql: 'SELECT *', result: { generate: { rows: 5_000, columns: 12 } } }] });
  const http = new KeepAliveHttpClient({
    connectTimeoutMs: 5_000,
    readTimeoutMs: 10_000,
    totalTimeoutMs: 30_000,
    maxSockets: 10,
    maxSocketsPerHost: 10,
    freeSocketTimeoutMs: 30_000,
  });
  const client = new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token) });
  for (const [question, label] of [
    ['sales', '5,000 × 11 sales result from Genie (emulator)'],
    ['synthetic', "5,000 × 12 of the emulator's synthetic data (near-random values)"],
  ] as const) {
    const { answer } = await askGenie(client, { question });
    const url = `${genie.url}/api/2.0/genie/spaces/${genie.spaceId}/conversations/${answer.ref.conversationId}/messages/${answer.ref.messageId}/attachments/${answer.query!.attachmentId}/query-result`;
    const wire = async (encoding: string): Promise<number> => {
      const before = genie.stats().bytesSent;
      await http.request({ url, headers: { Authorization: `Bearer ${genie.token}`, 'Accept-Encoding': encoding } });
      return genie.stats().bytesSent - before;
    };
    const plain = await wire('identity');
    const gzipped = await wire('gzip, deflate');
    log(`network: ${question} ${plain} → ${gzipped} bytes`);
    figures.push({
      benchmark: '7 network',
      measure: label,
      value: gzipped,
      unit: 'bytes with gzip',
      reference: plain,
      referenceLabel: 'identity',
      ratio: `${round((1 - gzipped / plain) * 100)}% fewer`,
      goal: '≥ 70% fewer',
      met: 1 - gzipped / plain >= 0.7,
    });
  }

  const connector = await startFakeConnector();
  process.env.DATABRICKS_HOST = genie.url;
  process.env.GENIE_SPACE_ID = genie.spaceId;
  process.env.DATABRICKS_TOKEN = genie.token;
  process.env.ANSWER_DISPATCH = 'inline';
  process.env.LOG_LEVEL = 'warn';
  // What is measured is bytes on the wire: admission at Genie's pace and the per-person rate are out of the way.
  process.env.GENIE_QUESTIONS_PER_MINUTE = '60000';
  process.env.USER_QUESTIONS_PER_MINUTE = '100000';
  reloadConfig();
  const host = await startDevHost({ port: 0, log: () => undefined });
  for (let i = 0; i < 5; i++) {
    await fetch(`${host.url}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(userMessage(connector.url, `q${i}`, { conversationId: `a:net-${i}` })),
    });
  }
  await connector.waitFor(() => connector.cards() >= 5, 30_000);
  const metricsPlain = await rawGet(`${host.url}/api/metrics`, {});
  const metricsGzip = await rawGet(`${host.url}/api/metrics`, { 'Accept-Encoding': 'gzip' });
  figures.push({
    benchmark: '7 network',
    measure: '/api/metrics after 5 questions',
    value: metricsGzip,
    unit: 'bytes with gzip',
    reference: metricsPlain,
    referenceLabel: 'identity',
    ratio: `${round((1 - metricsGzip / metricsPlain) * 100)}% fewer`,
    goal: '≥ 70% fewer',
    met: 1 - metricsGzip / metricsPlain >= 0.7,
  });
  log(`network: /api/metrics ${metricsPlain} → ${metricsGzip} bytes (${ratio(metricsGzip, metricsPlain, 'lower')})`);
  await host.close();
  http.destroy();
  await Promise.all([connector.close(), genie.close()]);
  return figures;
};
