import { userMessage } from '../dev/fake-connector';
import { startGenieEmulator } from '../dev/genie-emulator';
import { askGenie, GenieClient, patTokenSource } from '../shared/genie';
import { KeepAliveHttpClient } from '../shared/http';
import { spawnConnector, spawnEmulator } from './emulator-process';
import { aPerson, type Benchmark, type Figure, percentile, pool, ratio, round, ScaledClock, spawnDevHost } from './lib';

const ANSWER_MS = 30_000;
const HTTP = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  maxSockets: 100,
  maxSocketsPerHost: 60,
  freeSocketTimeoutMs: 30_000,
};

/**
 * 1. Webhook acknowledgement: POST /api/messages on the dev host (its own process) at 1, 20 and 50
 * concurrent questions whose Genie answers take 30 s. Reference: the inline design, where the
 * webhook would wait for Genie (measured on a time-scaled emulator), and Bot Service's 15 s limit.
 */
export const webhookAck: Benchmark = async ({ quick, log }) => {
  // Emulator, connector and dev host each in their own process: this one only sends and times.
  const genie = await spawnEmulator();
  await genie.script(
    '.*',
    {
      text: 'done',
      steps: [
        { status: 'ASKING_AI', afterMs: 0 },
        { status: 'COMPLETED', afterMs: ANSWER_MS },
      ],
    },
    true,
  );
  const connector = await spawnConnector();
  const host = await spawnDevHost({
    DATABRICKS_HOST: genie.url,
    GENIE_SPACE_ID: genie.spaceId,
    DATABRICKS_TOKEN: genie.token,
    STATUS_MESSAGE_DELAY_SECONDS: '0',
  });
  const http = new KeepAliveHttpClient(HTTP);
  const figures: Figure[] = [];
  try {
    let n = 0;
    /** One question; by default each from another person, as a real burst is. */
    const ask = async (onePerson = false): Promise<number> => {
      const id = ++n;
      const body = userMessage(connector.url, `question ${id}`, {
        conversationId: `a:bench-${id}`,
        id: `bench-activity-${id}`,
        ...(onePerson ? {} : aPerson(id)),
      });
      const started = performance.now();
      const response = await http.request({
        method: 'POST',
        url: `${host.url}/api/messages`,
        data: body,
        headers: { 'Content-Type': 'application/json' },
      });
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
      return performance.now() - started;
    };
    // Warm-up (cold start is benchmark 4): the first requests load botbuilder and let V8 optimise the path.
    for (let i = 0; i < 50; i++) await ask();
    for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: 20 }, () => ask()));
    // Each level: bursts of `concurrency` questions arriving at once, 1.3 s apart; every answer
    // takes 30 s, so the workers of all earlier bursts are still polling Genie in the same process.
    for (const concurrency of [1, 20, 50]) {
      const bursts = quick ? 3 : concurrency === 1 ? 100 : 10;
      const latencies: number[] = [];
      for (let burst = 0; burst < bursts; burst++) {
        latencies.push(...(await Promise.all(Array.from({ length: concurrency }, () => ask()))));
        // 1.3 s apart: not in step with the workers' first look at Genie (after about 1 s).
        await new Promise((resolve) => setTimeout(resolve, concurrency === 1 ? 50 : 1_300));
      }
      const total = latencies.length;
      const p50 = percentile(latencies, 0.5);
      const p99 = percentile(latencies, 0.99);
      log(`webhook ack @${concurrency}: p50 ${round(p50)} ms, p99 ${round(p99)} ms over ${total}`);
      figures.push(
        { benchmark: '1 webhook ack', measure: `p50 @ ${concurrency} concurrent`, value: round(p50), unit: 'ms' },
        {
          benchmark: '1 webhook ack',
          measure: `p99 @ ${concurrency} concurrent`,
          value: round(p99),
          unit: 'ms',
          reference: 15_000,
          referenceLabel: 'Bot Service limit',
          ratio: ratio(p99, 15_000, 'lower'),
          ...(concurrency === 20 ? { goal: 'p99 < 50 ms at 20 concurrent', met: p99 < 50 } : {}),
        },
      );
    }
    // Reference: the same 20-question bursts all from one person, whose per-person rate record every
    // question must update (conditional writes in turn): what a burst from one sender costs.
    const onePerson: number[] = [];
    for (let burst = 0; burst < (quick ? 3 : 10); burst++) {
      onePerson.push(...(await Promise.all(Array.from({ length: 20 }, () => ask(true)))));
      await new Promise((resolve) => setTimeout(resolve, 1_300));
    }
    const onePersonP99 = percentile(onePerson, 0.99);
    log(`webhook ack @20, one person: p99 ${round(onePersonP99)} ms`);
    figures.push({
      benchmark: '1 webhook ack',
      measure: 'p99 @ 20 concurrent, all from one person',
      value: round(onePersonP99),
      unit: 'ms',
    });
  } finally {
    await host.stop();
    http.destroy();
  }

  // The inline design: the webhook answers only after Genie did. Same 30 s answer, time-scaled.
  await Promise.all([genie.stop(), connector.stop()]);
  const scale = 0.02;
  const scaled = await startGenieEmulator({ demo: false, timeScale: scale });
  scaled.script(/.*/, {
    text: 'done',
    steps: [
      { status: 'ASKING_AI', afterMs: 0 },
      { status: 'COMPLETED', afterMs: ANSWER_MS },
    ],
  });
  const clock = new ScaledClock(scale);
  const client = new GenieClient({
    host: scaled.url,
    spaceId: scaled.spaceId,
    http: new KeepAliveHttpClient(HTTP),
    tokens: patTokenSource(scaled.token),
    clock,
  });
  const inline = await pool(Array.from({ length: quick ? 3 : 10 }), 10, async () => {
    const started = clock.now();
    await askGenie(client, { question: 'inline', clock });
    return clock.now() - started;
  });
  const inlineP50 = percentile(inline, 0.5);
  const ackP50 = Number(figures.find((f) => f.measure === 'p50 @ 20 concurrent')?.value);
  figures.push({
    benchmark: '1 webhook ack',
    measure: 'inline design (webhook waits for Genie) p50',
    value: round(inlineP50 / 1000, 1),
    unit: 's',
    reference: 15,
    referenceLabel: 'Bot Service limit (s)',
    ratio: `hand-off acks ${ratio(ackP50, inlineP50, 'lower')} sooner`,
    goal: 'inline would break the 15 s limit',
    met: inlineP50 > 15_000,
  });
  await scaled.close();
  return figures;
};
