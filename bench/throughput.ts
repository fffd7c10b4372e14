import { startFakeConnector, userMessage } from '../dev/fake-connector';
import { KeepAliveHttpClient } from '../shared/http';
import { spawnEmulator } from './emulator-process';
import { aPerson, type Benchmark, type Figure, round, spawnDevHost } from './lib';

/**
 * 9. Throughput: acknowledged questions per second on one dev-host process (this machine's 2
 * cores) with a zero-latency emulator in its own process, and answered questions per second.
 */
export const throughput: Benchmark = async ({ quick, log }) => {
  const emulator = await spawnEmulator();
  await emulator.script('.*', { text: 'ok', steps: [{ status: 'COMPLETED', afterMs: 0 }] }, true);
  const connector = await startFakeConnector({ keep: false });
  const host = await spawnDevHost({
    DATABRICKS_HOST: emulator.url,
    GENIE_SPACE_ID: emulator.spaceId,
    DATABRICKS_TOKEN: emulator.token,
    STATUS_MESSAGE_DELAY_SECONDS: '0',
  });
  const http = new KeepAliveHttpClient({
    connectTimeoutMs: 5_000,
    readTimeoutMs: 30_000,
    totalTimeoutMs: 60_000,
    maxSockets: 100,
    maxSocketsPerHost: 50,
    freeSocketTimeoutMs: 30_000,
  });
  let n = 0;
  const post = () => {
    const id = ++n;
    return http.request({
      method: 'POST',
      url: `${host.url}/api/messages`,
      data: userMessage(connector.url, `q${id}`, { conversationId: `a:tp-${id}`, id: `tp-${id}`, ...aPerson(id) }),
      headers: { 'Content-Type': 'application/json' },
    });
  };
  for (let i = 0; i < 20; i++) await post();
  const warm = n;
  await connector.waitFor(() => connector.cards() >= warm, 30_000);
  const seconds = quick ? 3 : 10;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let acked = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (performance.now() < deadline) if ((await post()).status === 200) acked++;
    }),
  );
  const ackSeconds = (performance.now() - started) / 1000;
  await connector.waitFor(() => connector.cards() >= n, 120_000);
  const answerSeconds = (performance.now() - started) / 1000;
  await host.stop();
  http.destroy();
  await Promise.all([emulator.stop(), connector.close()]);
  log(`throughput: ${round(acked / ackSeconds)} acked/s, ${round(acked / answerSeconds)} answered/s`);
  return [
    {
      benchmark: '9 throughput',
      measure: 'questions acknowledged per second (50 concurrent clients)',
      value: round(acked / ackSeconds),
      unit: '/s',
    },
    {
      benchmark: '9 throughput',
      measure: 'questions answered per second, same run (first poll after 1 s)',
      value: round(acked / answerSeconds),
      unit: '/s',
    },
  ] satisfies Figure[];
};
