import { startGenieEmulator } from '../dev/genie-emulator';
import type { HttpClientSettings } from '../shared/config';
import { askGenie, DEFAULT_POLL_SCHEDULE, GenieClient, patTokenSource } from '../shared/genie';
import { type HttpRequestConfig, KeepAliveHttpClient } from '../shared/http';
import { type Benchmark, type Figure, pool } from './lib';

const SETTINGS: HttpClientSettings = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxSockets: 100,
  maxSocketsPerHost: 30,
  freeSocketTimeoutMs: 30_000,
};
const FAST = { ...DEFAULT_POLL_SCHEDULE, firstPollMs: 20 };

/** The reference: what code that builds a client per call does — a fresh agent, a new connection, each time. */
function freshAgentPerRequest(): KeepAliveHttpClient {
  return {
    request: async (config: HttpRequestConfig) => {
      const client = new KeepAliveHttpClient(SETTINGS);
      try {
        return await client.request(config);
      } finally {
        client.destroy();
      }
    },
  } as unknown as KeepAliveHttpClient;
}

/**
 * 3. Connections: TCP connections opened to the Genie emulator for 200 sequential and 50
 * concurrent questions (each: start, polls, result), the shared agent vs a fresh agent per request.
 */
export const connections: Benchmark = async ({ quick, log }) => {
  const figures: Figure[] = [];
  const genie = await startGenieEmulator({ demo: false });
  const script = () =>
    genie.script(/.*/, {
      steps: [
        { status: 'EXECUTING_QUERY', afterMs: 0 },
        { status: 'COMPLETED', afterMs: 10 },
      ],
      queries: [{ title: 't', sql: 'SELECT 1', result: { generate: { rows: 20, columns: 4 } } }],
    });
  const sequential = quick ? 50 : 200;
  const concurrent = 50;
  for (const mode of ['shared', 'fresh'] as const) {
    for (const [label, count, parallel] of [
      ['sequential', sequential, 1],
      ['concurrent', concurrent, concurrent],
    ] as const) {
      // Every round starts with a cold pool: a new process's shared client, or none at all.
      const shared = new KeepAliveHttpClient(SETTINGS);
      const http = mode === 'shared' ? shared : freshAgentPerRequest();
      const client = new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token) });
      genie.reset(); // counts from zero; reset also drops scripts
      script();
      const roundStarted = performance.now();
      await pool(Array.from({ length: count }), parallel, () => askGenie(client, { question: 'q', schedule: FAST }));
      const stats = genie.stats();
      const requests = Object.values(stats.requests).reduce((a, b) => a + b, 0);
      log(
        `connections ${mode} ${label}: ${stats.connections} TCP for ${requests} requests (${Math.round(performance.now() - roundStarted)} ms)`,
      );
      const goal = label === 'sequential' ? 1 : 1 + concurrent;
      figures.push({
        benchmark: '3 connections',
        measure: `${count} ${label} questions, ${mode === 'shared' ? 'shared agent' : 'fresh agent per request'}`,
        value: stats.connections,
        unit: `TCP (${requests} requests)`,
        ...(mode === 'shared' ? { goal: `≤ 1 + concurrency (${goal})`, met: stats.connections <= goal } : {}),
      });
      shared.destroy();
    }
  }
  await genie.close();
  return figures;
};
