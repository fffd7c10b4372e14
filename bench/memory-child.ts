import { userMessage } from '../dev/fake-connector';
import { createBotApp } from '../shared/app';
import { handleWebhook } from '../shared/bot';
import { loadConfig } from '../shared/config';
import { DEFAULT_POLL_SCHEDULE, type GenieMessage } from '../shared/genie';
import { type InlineDispatcher, MemoryRecordStore, SessionService, type SessionValue } from '../shared/state';

/**
 * Runs in its own process with --expose-gc (bench/memory.ts starts it): heap and RSS after 100,000
 * chats through the capped memory session store, and after 5,000 and 10,000 answered questions
 * through the whole app; plus the app's log volume per 1,000 questions and the seed's pattern.
 */
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
function memory(): { heapMb: number; rssMb: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heapMb: mb(usage.heapUsed), rssMb: mb(usage.rss) };
}

/** The seed's logging, per its code: a detail block per query and a stats block every 100 (Python logging format). */
function seedPattern(questions: number, message: GenieMessage): { lines: number; bytes: number } {
  const prefix = () => `${new Date().toISOString().replace('T', ' ').slice(0, 23)} - genie_service - INFO - `;
  let lines = 0;
  let bytes = 0;
  const emit = (text: string) => {
    lines += text.split('\n').length;
    bytes += Buffer.byteLength(prefix() + text + '\n');
  };
  for (let i = 1; i <= questions; i++) {
    emit(`Asking Genie (user 29:user-${i}): ${message.content ?? ''}`);
    emit(`Genie response: ${JSON.stringify(message, null, 2)}`);
    emit(`Query completed in 2.31s (status ${message.status ?? ''})`);
    if (i % 100 === 0) {
      emit(
        `Performance stats: ${JSON.stringify({ total_queries: i, successful_queries: i, failed_queries: 0, success_rate: 100, avg_duration: 2.31, total_duration: 2.31 * i }, null, 2)}`,
      );
    }
  }
  return { lines, bytes };
}

async function main(): Promise<void> {
  const env = process.env as Record<string, string>;
  const total = Number(env.QUESTIONS ?? 10_000);
  const result: Record<string, unknown> = { baseline: memory() };

  const store = new MemoryRecordStore<SessionValue>(10_000);
  const sessions = new SessionService(store, { spaceId: 'space', idleMs: 4 * 3_600_000 });
  for (let i = 0; i < 100_000; i++) {
    const lease = await sessions.acquire(`tenant|chat:${i}`, `job-${i}`);
    await sessions.recordAsked(`tenant|chat:${i}`, { spaceId: 'space', conversationId: `conv-${i}`, messageId: `msg-${i}` }, lease);
  }
  result.sessions = { ...memory(), entries: store.size, cap: store.maxEntries };

  const config = loadConfig({
    DATABRICKS_HOST: env.DATABRICKS_HOST,
    GENIE_SPACE_ID: env.GENIE_SPACE_ID,
    DATABRICKS_TOKEN: env.DATABRICKS_TOKEN,
    ANSWER_DISPATCH: 'inline',
    STATUS_MESSAGE_DELAY_SECONDS: '0',
    LOG_LEVEL: 'info',
    SESSION_MEMORY_MAX_ENTRIES: env.SESSION_MEMORY_MAX_ENTRIES ?? '10000',
    // One simulated user asks every question: the per-person rate is set out of the way (still checked).
    USER_QUESTIONS_PER_MINUTE: '100000',
    GENIE_QUESTIONS_PER_MINUTE: '60000',
  });
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  let lines = 0;
  let bytes = 0;
  const app = await createBotApp(config.config, {
    logSink: (_level, line) => {
      lines++;
      bytes += Buffer.byteLength(line) + 1;
    },
    schedule: { ...DEFAULT_POLL_SCHEDULE, firstPollMs: 5 },
  });
  const dispatcher = app.dispatcher as InlineDispatcher;
  const connector = env.CONNECTOR_URL ?? '';
  const checkpoints: Record<number, unknown> = {};
  let logsPerThousand: { lines: number; bytes: number } | undefined;
  for (let done = 0; done < total;) {
    const batch = Math.min(100, total - done);
    await Promise.all(
      Array.from({ length: batch }, (_, i) => {
        const n = done + i;
        const body = Buffer.from(
          JSON.stringify(userMessage(connector, `question ${n}`, { conversationId: `a:memory-${n % 5_000}`, id: `activity-${n}` })),
        );
        return handleWebhook({ method: 'POST', headers: {}, body }, app.host, false, (context) => app.bot.run(context));
      }),
    );
    await dispatcher.idle();
    done += batch;
    if (done === 1_000) logsPerThousand = { lines, bytes };
    if (done === total / 2 || done === total) checkpoints[done] = memory();
  }
  const snapshot = (await app.telemetry.snapshot(false)) as { questions: { answered: number; failed: number } };
  const { ref } = await app.genie.startConversation('question 0');
  let message = await app.genie.getMessage(ref);
  while (message.status !== 'COMPLETED') message = await app.genie.getMessage(ref);
  result.questions = { checkpoints, answered: snapshot.questions.answered, failed: snapshot.questions.failed };
  result.logs = { ours: logsPerThousand, seed: seedPattern(1_000, message) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
