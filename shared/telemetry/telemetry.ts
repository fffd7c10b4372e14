import type { Meter, Tracer } from '@opentelemetry/api';

import type { FailureReason, GenieCallEvent, GenieCallObserver, GenieRetryEvent } from '../genie';
import type { HttpClientStats } from '../http';
import { type Clock, instanceInfo, type Random, systemClock } from '../runtime';
import { InstanceCounters, type QuestionOutcome } from './counters';
import { createInstruments, inAnswerSpan, type Instruments, recordCallSpan } from './instruments';
import type { Logger } from './log';
import { METRICS_SCOPE, type MetricsDocument } from './metrics-document';
import { type ProcessMonitor, processMonitor } from './process-monitor';
import { StatsLog } from './stats-log';

/** Activity types as metric attributes: a fixed set, whatever a client sends. */
const ACTIVITY_TYPES = new Set(['message', 'invoke', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'typing']);

/** Counting live sessions may scan a table: at most this often, however often /api/metrics is read. */
const SESSIONS_COUNT_INTERVAL_MS = 60_000;

export interface TelemetryOptions {
  readonly logger: Logger;
  /** OpenTelemetry meter and tracer; absent: figures are kept in process only. */
  readonly meter?: Meter;
  readonly tracer?: Tracer;
  readonly clock?: Clock;
  readonly random?: Random;
  /** At most one stats summary per this interval. @default 60000 */
  readonly statsIntervalMs?: number;
  /** Extra summary chance per question. @default 0.01 */
  readonly statsSampleRate?: number;
  /** Live sessions, as cheaply as the store can tell. */
  readonly sessionsActive?: () => Promise<number>;
  readonly httpStats?: () => HttpClientStats | undefined;
  /** How this instance is set up, shown as is in /api/metrics (no secrets). */
  readonly setup?: Readonly<Record<string, string | boolean>>;
}

/**
 * The app's one telemetry sink: each event is counted in process (for /api/metrics and the
 * sampled stats log) and, when Application Insights is on, recorded as OpenTelemetry metrics and
 * spans. Attributes are low-cardinality codes only: never user ids, conversation ids or question text.
 */
export class Telemetry implements GenieCallObserver {
  private readonly clock: Clock;
  private readonly counters = new InstanceCounters();
  private readonly stats: StatsLog;
  private readonly instruments?: Instruments;
  // Started with the app, so the CPU window is warm by the first read of /api/metrics.
  private readonly processFigures: ProcessMonitor = processMonitor();
  private sessionsCache?: { value: number; at: number };

  constructor(private readonly options: TelemetryOptions) {
    this.clock = options.clock ?? systemClock;
    this.stats = new StatsLog({
      logger: options.logger,
      clock: this.clock,
      random: options.random ?? Math.random,
      intervalMs: options.statsIntervalMs ?? 60_000,
      sampleRate: options.statsSampleRate ?? 0.01,
    });
    if (options.meter) {
      this.instruments = createInstruments(options.meter, {
        sessionsActive: () => this.sessionsCache?.value,
        httpStats: () => options.httpStats?.(),
      });
    }
  }

  webhookHandled(activityType: string | undefined, durationMs: number): void {
    this.counters.webhookHandled(durationMs);
    const type = activityType && ACTIVITY_TYPES.has(activityType) ? activityType : 'other';
    this.instruments?.webhookDuration.record(durationMs, { activity_type: type });
  }

  /** The policy gate refused an activity; `reason` is one of a fixed set of codes. */
  refused(reason: string): void {
    this.counters.refused(reason);
    this.instruments?.refusals.add(1, { reason });
  }

  /** The webhook recorded a question and handed it to the answer worker (here or on another instance). */
  questionAccepted(): void {
    this.counters.questionAccepted();
  }

  /**
   * One answer attempt on this instance: counted as answering while it runs, inside a
   * `genie.answer` span joined to the host's trace when tracing is on.
   */
  async answerAttempt<T>(traceparent: string | undefined, work: () => Promise<T>): Promise<T> {
    this.counters.attemptStarted();
    try {
      const tracer = this.options.tracer;
      return await (tracer ? inAnswerSpan(tracer, traceparent, work) : work());
    } finally {
      this.counters.attemptEnded();
    }
  }

  /** This instance's worker finished a question: counted, timed, and maybe summarised in the stats log. */
  questionFinished(outcome: QuestionOutcome, reason: FailureReason | 'none', totalMs: number, genieMs?: number): void {
    this.counters.questionFinished(outcome, reason, totalMs, genieMs);
    this.instruments?.questions.add(1, { outcome, reason });
    this.instruments?.answerDuration.record(totalMs, { outcome });
    if (genieMs !== undefined) this.instruments?.waitDuration.record(genieMs);
    this.stats.questionFinished(() => this.statsFields());
  }

  onCall(event: GenieCallEvent): void {
    this.counters.genieCall(event);
    this.instruments?.apiCalls.add(1, { endpoint: event.endpoint, status_class: event.outcome });
    this.instruments?.apiDuration.record(event.durationMs, { endpoint: event.endpoint });
    if (event.status === 429) this.instruments?.apiThrottled.add(1, { endpoint: event.endpoint });
    if (this.options.tracer) recordCallSpan(this.options.tracer, event);
  }

  onRetry(event: GenieRetryEvent): void {
    this.counters.genieRetry();
    this.instruments?.apiRetries.add(1, { endpoint: event.endpoint, reason: event.reason });
  }

  private statsFields(): Record<string, number | undefined> {
    const questions = this.counters.questions();
    const latency = this.counters.latencyMs();
    const genie = this.counters.genie();
    const http = this.options.httpStats?.();
    return {
      accepted: questions.accepted,
      answering: questions.answering,
      answered: questions.answered,
      clarification: questions.clarification,
      failed: questions.failed,
      answerP50: latency.answer.p50,
      answerP95: latency.answer.p95,
      genieP50: latency.genie.p50,
      webhookP99: latency.webhookAck.p99,
      genieRetries: genie.retries,
      genie429: genie.throttled429,
      genieTimeouts: genie.timeouts,
      socketsCreated: http?.socketsCreated,
      socketsReused: http?.socketsReused,
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
    };
  }

  private async sessionsActive(): Promise<number | undefined> {
    const provider = this.options.sessionsActive;
    if (!provider) return undefined;
    const now = this.clock.now();
    if (!this.sessionsCache || now - this.sessionsCache.at > SESSIONS_COUNT_INTERVAL_MS) {
      try {
        this.sessionsCache = { value: await provider(), at: now };
      } catch (error: unknown) {
        this.options.logger.warn('sessions.count_failed', { error: error instanceof Error ? error.name : 'unknown' });
        return this.sessionsCache?.value;
      }
    }
    return this.sessionsCache.value;
  }

  /** The figures /api/metrics shows: this instance's only. */
  async snapshot(coldStart: boolean): Promise<MetricsDocument> {
    const http = this.options.httpStats?.();
    return {
      status: 'ok',
      timestamp: new Date(this.clock.now()).toISOString(),
      scope: METRICS_SCOPE,
      instance: { ...instanceInfo(), coldStart },
      setup: this.options.setup ?? {},
      questions: this.counters.questions(),
      refusalsByReason: this.counters.refusalsByReason(),
      latencyMs: this.counters.latencyMs(),
      genie: this.counters.genie(),
      http: http
        ? { socketsCreated: http.socketsCreated, socketsReused: http.socketsReused, socketsOpen: http.socketsOpen, requests: http.requests }
        : null,
      sessions: { active: (await this.sessionsActive()) ?? null },
      process: this.processFigures.figures(),
    };
  }
}
