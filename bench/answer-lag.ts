import { type GenieEmulator, querySteps, type ScriptedStep, startGenieEmulator } from '../dev/genie-emulator';
import { GenieClient, type GenieMessage, type GenieMessageRef, patTokenSource, pollUntilAnswered } from '../shared/genie';
import { KeepAliveHttpClient } from '../shared/http';
import { type Benchmark, type Figure, median, pool, ratio, round, ScaledClock } from './lib';

const LATENCIES_S = [2, 5, 10, 20, 45, 90];
/** Time-scaling of every latency and sleep: full runs ×0.1 (loopback round trips inflate less), quick ×0.05. */
const scaleFor = (quick: boolean) => (quick ? 0.05 : 0.1);
const FINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'QUERY_RESULT_EXPIRED']);

/** No status news until the end: the schedule must do well on time alone. */
function statusBlind(totalMs: number): ScriptedStep[] {
  return [
    { status: 'ASKING_AI', afterMs: 0 },
    { status: 'COMPLETED', afterMs: totalMs },
  ];
}

/** The Python SDK's wait helper: GET at once, then sleep min(attempt, 10) + random() seconds. */
async function pythonSdkPoll(
  client: GenieClient,
  ref: GenieMessageRef,
  clock: ScaledClock,
): Promise<{ message: GenieMessage; polls: number }> {
  for (let attempt = 1, polls = 1; ; attempt++, polls++) {
    const message = await client.getMessage(ref);
    if (message.status && FINAL.has(message.status)) return { message, polls };
    await clock.sleep((Math.min(attempt, 10) + Math.random()) * 1000);
  }
}

async function run(genie: GenieEmulator, client: GenieClient, clock: ScaledClock, poller: 'ours' | 'python', repeats: number) {
  const questions = LATENCIES_S.flatMap((s) => Array.from({ length: repeats }, () => s));
  const results = await pool(questions, questions.length, async (seconds) => {
    const { ref } = await client.startConversation(`latency ${seconds}`);
    const { polls } = poller === 'ours' ? await pollUntilAnswered(client, ref, { clock }) : await pythonSdkPoll(client, ref, clock);
    const seenAt = Date.now();
    const message = genie.messages().find((m) => m.messageId === ref.messageId)!;
    return { seconds, polls, lagMs: (seenAt - message.finalAt) / clock.scale };
  });
  return results;
}

/**
 * 2. Answer lag: from the moment Genie's message reaches COMPLETED to the moment the poller sees
 * it, over answers of 2–90 s (time-scaled), our schedule vs the Python SDK's, with GETs per
 * question. The rest of the path (render and send) is the same for both and measured in 9.
 */
export const answerLag: Benchmark = async ({ quick, log }) => {
  const figures: Figure[] = [];
  const repeats = quick ? 2 : 8;
  const scale = scaleFor(quick);
  for (const [name, steps] of [
    // Genie at work in the emulator demo's proportions: the query runs in the last 30%.
    ['Genie-like statuses', querySteps],
    ['status-blind', statusBlind],
  ] as const) {
    const genie = await startGenieEmulator({ demo: false, timeScale: scale });
    for (const seconds of LATENCIES_S) genie.script(`latency ${seconds}`, { text: 'ok', steps: steps(seconds * 1000) });
    const clock = new ScaledClock(scale);
    const http = new KeepAliveHttpClient({
      connectTimeoutMs: 5_000,
      readTimeoutMs: 10_000,
      totalTimeoutMs: 30_000,
      maxSockets: 200,
      maxSocketsPerHost: 200,
      freeSocketTimeoutMs: 30_000,
    });
    const client = new GenieClient({ host: genie.url, spaceId: genie.spaceId, http, tokens: patTokenSource(genie.token), clock });
    const ours = await run(genie, client, clock, 'ours', repeats);
    const python = await run(genie, client, clock, 'python', repeats);
    http.destroy();
    await genie.close();
    const oursLag = median(ours.map((r) => r.lagMs));
    const pythonLag = median(python.map((r) => r.lagMs));
    const oursGets = ours.reduce((a, r) => a + r.polls, 0) / ours.length;
    const pythonGets = python.reduce((a, r) => a + r.polls, 0) / python.length;
    log(
      `answer lag (${name}): ours ${round(oursLag)} ms / ${round(oursGets)} GETs, python ${round(pythonLag)} ms / ${round(pythonGets)} GETs`,
    );
    const lagTimes = pythonLag / oursLag;
    const getTimes = oursGets / pythonGets;
    figures.push(
      {
        benchmark: '2 answer lag',
        measure: `median lag, ${name}`,
        value: round(oursLag),
        unit: 'ms',
        reference: round(pythonLag),
        referenceLabel: 'Python SDK schedule',
        ratio: ratio(oursLag, pythonLag, 'lower'),
        goal: '≥ 4× lower',
        met: lagTimes >= 4,
      },
      {
        benchmark: '2 answer lag',
        measure: `GETs per question, ${name}`,
        value: round(oursGets),
        unit: 'GETs',
        reference: round(pythonGets),
        referenceLabel: 'Python SDK schedule',
        ratio: `${round(getTimes, 2)}× the GETs`,
        goal: '≤ 3× the GETs',
        met: getTimes <= 3,
      },
    );
  }
  return figures;
};
