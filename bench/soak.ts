/**
 * `npm run soak [-- --quick] [-- --no-pacer]`: three app instances (dev host processes) in queue mode
 * on one Azurite on disk, a Genie emulator enforcing a questions-per-minute limit the bot's pacer is
 * set to match; one instance SIGKILLed mid-run and restarted, storage stopped for 10 s. Asserts that
 * every question is asked of Genie once and answered once, in order per chat; exits non-zero if not.
 * Loopback only; every process started here is stopped by its handle.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TableClient } from '@azure/data-tables';

import { type FakeConnector, startFakeConnector, userMessage } from '../dev/fake-connector';
import { startDiskAzurite } from '../tests/helpers/azurite';
import { spawnEmulator } from './emulator-process';
import { type DevHostProcess, percentile, ROOT, round, spawnDevHost } from './lib';

interface SoakPlan {
  readonly name: string;
  /** The emulator's limit, and the bot's GENIE_QUESTIONS_PER_MINUTE unless `--no-pacer`. */
  readonly questionsPerMinute: number;
  readonly chats: number;
  /** Questions in all; chats ask 2 or 3 each (follow-ups sent without waiting for the answer). */
  readonly questions: number;
  /** How long sending is spread over. */
  readonly sendOverMs: number;
  /** Give up waiting for answers after this long from the start. */
  readonly deadlineMs: number;
}

const PLANS: Record<'quick' | 'full', SoakPlan> = {
  quick: { name: 'quick', questionsPerMinute: 60, chats: 40, questions: 90, sendOverMs: 20_000, deadlineMs: 170_000 },
  full: { name: 'full', questionsPerMinute: 5, chats: 12, questions: 30, sendOverMs: 60_000, deadlineMs: 660_000 },
};

const INSTANCES = 3;
const OUTAGE_MS = 10_000;
/** Far above any limit, the setting's maximum: "no pacer" (the bot then learns Genie's limit from 429s alone). */
const UNPACED = 60_000;

interface Question {
  readonly chat: string;
  readonly index: number;
  readonly activity: Record<string, unknown>;
  sentAt?: number;
}

const marker = (chat: string, index: number) => `ANSWER-${chat}-q${index}-END`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function planQuestions(plan: SoakPlan, connectorUrl: string): Question[] {
  const counts = Array.from({ length: plan.chats }, () => 2);
  for (let extra = plan.questions - 2 * plan.chats, i = 0; extra > 0; extra--, i = (i + 1) % plan.chats) counts[i]!++;
  const byRound: Question[] = [];
  for (let index = 1; index <= Math.max(...counts); index++) {
    counts.forEach((count, c) => {
      if (index > count) return;
      const chat = `c${String(c + 1).padStart(2, '0')}`;
      byRound.push({
        chat,
        index,
        activity: userMessage(connectorUrl, `question ${chat} ${index}`, {
          id: `soak-${chat}-${index}`,
          conversationId: `a:soak-${chat}`,
          userId: `29:${chat}`,
        }),
      });
    });
  }
  return byRound;
}

/** The instances behind one address, as the Bot Service sees them: a dead one is skipped, a 503 redelivered after Retry-After. */
class Instances {
  private next = 0;
  readonly redeliveries = { refused: 0, unreachable: 0 };
  constructor(readonly hosts: (DevHostProcess | undefined)[]) {}

  async deliver(activity: Record<string, unknown>, until: number): Promise<void> {
    for (;;) {
      if (Date.now() > until) throw new Error(`activity ${String(activity.id)} could not be delivered`);
      const host = this.hosts[this.next++ % this.hosts.length];
      if (!host) continue;
      try {
        const response = await fetch(`${host.url}/api/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(activity),
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        if (response.status === 200) return;
        this.redeliveries.refused++;
        await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
      } catch {
        this.redeliveries.unreachable++;
        await sleep(200);
      }
    }
  }
}

/** Admission wait per question: from the job's creation to the slot the pacer gave it (jobs table). */
async function admissionWaits(connectionString: string): Promise<number[]> {
  const table = TableClient.fromConnectionString(connectionString, 'geniejobs', { allowInsecureConnection: true });
  const waits: number[] = [];
  for await (const entity of table.listEntities<{ data: string }>()) {
    const job = JSON.parse(entity.data) as { createdAt: number; slotAt?: number };
    if (job.slotAt !== undefined) waits.push(Math.max(0, job.slotAt - job.createdAt));
  }
  return waits;
}

interface Arrival {
  readonly index: number;
  readonly at: number;
}

function arrivalsByChat(connector: FakeConnector, questions: readonly Question[]): Map<string, Arrival[]> {
  const byChat = new Map<string, Arrival[]>();
  for (const r of connector.received) {
    if (!Array.isArray(r.activity.attachments)) continue;
    const text = JSON.stringify(r.activity);
    for (const q of questions) {
      if (`a:soak-${q.chat}` === r.conversationId && text.includes(marker(q.chat, q.index))) {
        byChat.set(q.chat, [...(byChat.get(q.chat) ?? []), { index: q.index, at: r.at }]);
      }
    }
  }
  return byChat;
}

async function soak(plan: SoakPlan, paced: boolean, log: (line: string) => void): Promise<boolean> {
  const started = Date.now();
  const [azurite, emulator, connector] = await Promise.all([
    startDiskAzurite(),
    spawnEmulator(['--rate-limit', String(plan.questionsPerMinute)]),
    startFakeConnector(),
  ]);
  const env = {
    DATABRICKS_HOST: emulator.url,
    GENIE_SPACE_ID: emulator.spaceId,
    DATABRICKS_TOKEN: emulator.token,
    AzureWebJobsStorage: azurite.connectionString,
    STATE_STORE: 'table',
    ANSWER_DISPATCH: 'queue',
    GENIE_QUESTIONS_PER_MINUTE: String(paced ? plan.questionsPerMinute : UNPACED),
    GENIE_ANSWER_TIMEOUT_SECONDS: String(Math.ceil(plan.deadlineMs / 1000)),
  };
  const questions = planQuestions(plan, connector.url);
  for (const q of questions) await emulator.script(`question ${q.chat} ${q.index}`, { text: marker(q.chat, q.index) });
  // The instances' warnings and errors, for the operator reading a failed run (no question text at warn).
  const logPath = join(tmpdir(), `soak-${plan.name}${paced ? '' : '-no-pacer'}-instances.log`);
  writeFileSync(logPath, '');
  const spawnLogged = async (n: number) => {
    const host = await spawnDevHost(env);
    host.child.stdout?.on('data', (chunk: Buffer) => appendFileSync(logPath, chunk.toString().replace(/^/gm, `[${n}] `)));
    host.child.stderr?.on('data', (chunk: Buffer) => appendFileSync(logPath, chunk.toString().replace(/^/gm, `[${n}] `)));
    return host;
  };
  const instances = new Instances(await Promise.all(Array.from({ length: INSTANCES }, (_, n) => spawnLogged(n + 1))));
  const until = started + plan.deadlineMs;
  let killed = false;
  try {
    // Sending, with the instance loss and the outage at a third and at half of it.
    const gapMs = plan.sendOverMs / questions.length;
    const sends: Promise<void>[] = [];
    const chaos: Promise<void>[] = [];
    const lastOfChat = new Map<string, Promise<void>>();
    for (const [n, q] of questions.entries()) {
      if (n === Math.floor(questions.length / 3)) {
        const victim = instances.hosts[1]!;
        instances.hosts[1] = undefined;
        victim.child.kill('SIGKILL');
        killed = true;
        log(`[soak] instance 2 SIGKILLed after ${n} questions`);
        chaos.push(
          sleep(3_000).then(async () => {
            instances.hosts[1] = await spawnLogged(2);
            log('[soak] instance 2 restarted');
          }),
        );
      }
      if (n === Math.floor(questions.length / 2)) {
        await azurite.pause();
        log(`[soak] storage stopped after ${n} questions`);
        chaos.push(sleep(OUTAGE_MS).then(() => azurite.resume().then(() => log('[soak] storage back'))));
      }
      // A person's messages reach the bot in the order written: a follow-up goes once the one before it was taken.
      const before = lastOfChat.get(q.chat) ?? Promise.resolve();
      const delivered = before.then(() => {
        q.sentAt = Date.now();
        return instances.deliver(q.activity, until);
      });
      lastOfChat.set(q.chat, delivered);
      sends.push(delivered);
      await sleep(gapMs);
    }
    await Promise.all([...sends, ...chaos]);
    const answeredCount = () =>
      [...arrivalsByChat(connector, questions).values()].reduce((sum, a) => sum + new Set(a.map((x) => x.index)).size, 0);
    await connector.waitFor(() => answeredCount() >= questions.length, Math.max(1, until - Date.now())).catch(() => undefined);
    // Late duplicates would show up after the last answer: a short quiet period before counting.
    await sleep(3_000);

    const byChat = arrivalsByChat(connector, questions);
    let answers = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    const answerMs: number[] = [];
    const unanswered: string[] = [];
    const duplicated: string[] = [];
    for (const q of questions) {
      const mine = (byChat.get(q.chat) ?? []).filter((a) => a.index === q.index);
      if (mine.length) {
        answers++;
        answerMs.push(mine[0]!.at - q.sentAt!);
      } else unanswered.push(`${q.chat}-q${q.index}`);
      if (mine.length > 1) duplicated.push(`${q.chat}-q${q.index}×${mine.length}`);
      duplicates += Math.max(0, mine.length - 1);
    }
    for (const arrivals of byChat.values()) {
      const firsts = [...new Map([...arrivals].reverse().map((a) => [a.index, a.at])).entries()].sort((a, b) => a[1] - b[1]);
      firsts.forEach(([index], i) => (outOfOrder += i > 0 && index < firsts[i - 1]![0] ? 1 : 0));
    }
    const stats = (await emulator.stats()).stats as unknown as { requests: Record<string, number>; responses: Record<string, number> };
    const posts = (stats.requests['start-conversation'] ?? 0) + (stats.requests['create-message'] ?? 0);
    const refused429 = (stats.responses['start-conversation 429'] ?? 0) + (stats.responses['create-message 429'] ?? 0);
    const waits = await admissionWaits(azurite.connectionString);
    const figures = {
      run: `${plan.name}${paced ? '' : '-no-pacer'}`,
      questionsPerMinute: plan.questionsPerMinute,
      botQuestionsPerMinute: paced ? plan.questionsPerMinute : UNPACED,
      instances: INSTANCES,
      chats: plan.chats,
      questionsSent: questions.length,
      questionsAskedOfGenie: posts - refused429,
      genie429: refused429,
      answers,
      duplicates,
      /** Not answered by the deadline (lost, or late). */
      lost: questions.length - answers,
      outOfOrder,
      admissionWaitMs: { p50: round(percentile(waits, 0.5), 0), p95: round(percentile(waits, 0.95), 0) },
      answerMs: { p50: round(percentile(answerMs, 0.5), 0), p95: round(percentile(answerMs, 0.95), 0) },
      webhookRedeliveries: instances.redeliveries,
      instanceKilled: killed,
      storageOutageMs: OUTAGE_MS,
      durationS: round((Date.now() - started) / 1000, 0),
      unanswered,
      duplicated,
    };
    // For whoever reads a failed run: what the chats of the failed questions received, in order (no question text).
    const failedChats = new Set([...unanswered, ...duplicated].map((q) => q.split('-')[0]!));
    const trail = connector.received
      .filter((r) => failedChats.has(r.conversationId.replace('a:soak-', '')))
      .map((r) => ({
        chat: r.conversationId.replace('a:soak-', ''),
        method: r.method,
        id: r.id,
        ...(r.targetId ? { targetId: r.targetId } : {}),
        type: r.activity.type,
        card: Array.isArray(r.activity.attachments),
        answer: /ANSWER-c\d+-q(\d+)-END/.exec(JSON.stringify(r.activity))?.[1],
        atS: round((r.at - started) / 1000, 1),
      }))
      .filter((r) => r.type !== 'typing');
    log(JSON.stringify(figures, null, 2));
    log(`[soak] the instances' log: ${logPath}`);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', `soak-${figures.run}.json`), JSON.stringify(figures, null, 2) + '\n');
    writeFileSync(join(tmpdir(), `soak-${figures.run}-trail.json`), JSON.stringify(trail, null, 1) + '\n');
    log(`[soak] what the failed chats received: ${join(tmpdir(), `soak-${figures.run}-trail.json`)}`);
    const failures = [
      figures.questionsAskedOfGenie !== questions.length &&
        `questions asked of Genie ${figures.questionsAskedOfGenie} ≠ sent ${questions.length}`,
      answers !== questions.length && `answers ${answers} ≠ questions ${questions.length}`,
      duplicates > 0 && `${duplicates} duplicate answers`,
      outOfOrder > 0 && `${outOfOrder} answers out of order`,
    ].filter((f): f is string => typeof f === 'string');
    for (const failure of failures) log(`[soak] FAILED: ${failure}`);
    if (!failures.length) log(`[soak] ${figures.run}: OK`);
    return failures.length === 0;
  } finally {
    await Promise.all(instances.hosts.map((h) => (h ? h.stop() : Promise.resolve())));
    await Promise.all([emulator.stop(), connector.close(), azurite.stop()]);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const plan = PLANS[args.includes('--quick') ? 'quick' : 'full'];
  const ok = await soak(plan, !args.includes('--no-pacer'), (line) => console.log(line));
  process.exitCode = ok ? 0 : 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
