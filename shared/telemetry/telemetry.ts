import { monitorEventLoopDelay } from 'node:perf_hooks';

import {
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';

import type { FailureReason, GenieCallEvent, GenieCallObserver, GenieRetryEvent } from '../genie';
import type { HttpClientStats } from '../http';
import { type Clock, instanceInfo, type Random, systemClock } from '../runtime';
import { LatencyHistogram } from './histogram';
import type { Logger } from './log';

export type QuestionOutcome = 'answered' | 'clarification' | 'failed';

/** Activity types as metric attributes: a fixed set, whatever a client sends. */
const ACTIVITY_TYPES = new Set(['message', 'invoke', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'typing']);

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

interface Instruments {
  questions: Counter;
  answerDuration: Histogram;
  waitDuration: Histogram;
  apiCalls: Counter;
  apiDuration: Histogram;
  apiRetries: Counter;
  apiThrottled: Counter;
  webhookDuration: Histogram;
  refusals: Counter;
}

/** A W3C traceparent as a parent context, so our spans join the Functions host's trace. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const match = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/.exec(traceparent ?? '');
  if (!match) return ROOT_CONTEXT;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/**
 * This instance's figures (for /api/metrics and the sampled stats log) and, when Application
 * Insights is on, the same figures as OpenTelemetry metrics and spans. Attributes are
 * low-cardinality codes only: never user ids, conversation ids or question text.
 */
export class Telemetry implements GenieCallObserver {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly questions = { total: 0, answered: 0, clarification: 0, failed: 0, inFlight: 0 };
  private readonly failures = new Map<string, number>();
  private readonly refusals = new Map<string, number>();
  private readonly latency = { webhook: new LatencyHistogram(), genie: new LatencyHistogram(), answer: new LatencyHistogram() };
  private readonly genieCalls = new Map<string, number>();
  private readonly genieCallLatency = new Map<string, LatencyHistogram>();
  private retries = 0;
  private throttled = 0;
  private timeouts = 0;
  private lastStatsAt = Number.NEGATIVE_INFINITY;
  private statsLines = 0;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private lastCpu = { usage: process.cpuUsage(), at: process.hrtime.bigint() };
  private readonly instruments?: Instruments;
  private sessionsCache?: { value: number; at: number };

  constructor(private readonly options: TelemetryOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.loopDelay.enable();
    const meter = options.meter;
    if (meter) {
      this.instruments = {
        questions: meter.createCounter('genie.questions', { description: 'Questions finished, by outcome and reason', unit: '{question}' }),
        answerDuration: meter.createHistogram('genie.answer.duration', { description: 'Question received to answer sent', unit: 'ms' }),
        waitDuration: meter.createHistogram('genie.wait.duration', { description: 'Time Genie took to answer', unit: 'ms' }),
        apiCalls: meter.createCounter('genie.api.calls', { description: 'Genie API attempts', unit: '{call}' }),
        apiDuration: meter.createHistogram('genie.api.duration', { description: 'Genie API attempt duration', unit: 'ms' }),
        apiRetries: meter.createCounter('genie.api.retries', { description: 'Genie API retries', unit: '{retry}' }),
        apiThrottled: meter.createCounter('genie.api.throttled', { description: 'Genie API 429 answers', unit: '{call}' }),
        webhookDuration: meter.createHistogram('bot.webhook.duration', { description: 'Webhook request to response', unit: 'ms' }),
        refusals: meter.createCounter('bot.policy.refusals', { description: 'Activities the policy gate refused, by reason', unit: '{activity}' }),
      };
      meter
        .createObservableGauge('sessions.active', { description: 'Chats with a live session (this instance’s view)', unit: '{session}' })
        .addCallback((result) => {
          if (this.sessionsCache) result.observe(this.sessionsCache.value);
        });
      meter.createObservableCounter('http.sockets.created', { unit: '{socket}' }).addCallback((result) => {
        const stats = this.options.httpStats?.();
        if (stats) result.observe(stats.socketsCreated);
      });
      meter.createObservableCounter('http.sockets.reused', { unit: '{socket}' }).addCallback((result) => {
        const stats = this.options.httpStats?.();
        if (stats) result.observe(stats.socketsReused);
      });
    }
  }

  webhookHandled(activityType: string | undefined, durationMs: number): void {
    this.latency.webhook.record(durationMs);
    const type = activityType && ACTIVITY_TYPES.has(activityType) ? activityType : 'other';
    this.instruments?.webhookDuration.record(durationMs, { activity_type: type });
  }

  /** The policy gate refused an activity; `reason` is one of a fixed set of codes. */
  refused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
    this.instruments?.refusals.add(1, { reason });
  }

  questionStarted(): void {
    this.questions.total++;
    this.questions.inFlight++;
  }

  /** One question is done: counted, timed, and maybe summarised in the stats log. */
  questionFinished(outcome: QuestionOutcome, reason: FailureReason | 'none', totalMs: number, genieMs?: number): void {
    this.questions[outcome]++;
    this.questions.inFlight = Math.max(0, this.questions.inFlight - 1);
    if (outcome === 'failed') this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.latency.answer.record(totalMs);
    if (genieMs !== undefined) this.latency.genie.record(genieMs);
    this.instruments?.questions.add(1, { outcome, reason });
    this.instruments?.answerDuration.record(totalMs, { outcome });
    if (genieMs !== undefined) this.instruments?.waitDuration.record(genieMs);
    this.maybeLogStats();
  }

  onCall(event: GenieCallEvent): void {
    const key = `${event.endpoint} ${event.outcome}`;
    this.genieCalls.set(key, (this.genieCalls.get(key) ?? 0) + 1);
    let latency = this.genieCallLatency.get(event.endpoint);
    if (!latency) this.genieCallLatency.set(event.endpoint, (latency = new LatencyHistogram()));
    latency.record(event.durationMs);
    if (event.status === 429) this.throttled++;
    if (event.outcome === 'timeout') this.timeouts++;
    const attributes: Attributes = { endpoint: event.endpoint, status_class: event.outcome };
    this.instruments?.apiCalls.add(1, attributes);
    this.instruments?.apiDuration.record(event.durationMs, { endpoint: event.endpoint });
    if (event.status === 429) this.instruments?.apiThrottled.add(1, { endpoint: event.endpoint });
    const tracer = this.options.tracer;
    if (tracer) {
      // The call already happened: its span is recorded with its real start and end under the active span.
      const end = Date.now();
      // No http.* attributes on purpose: the exporter would rename the span after the URL and the
      // workbook's per-endpoint view would lose it.
      const span = tracer.startSpan(`genie.api ${event.endpoint}`, {
        kind: SpanKind.CLIENT,
        startTime: end - event.durationMs,
        attributes: { 'genie.endpoint': event.endpoint, 'genie.status_class': event.outcome, ...(event.status ? { 'genie.status': event.status } : {}) },
      });
      if (event.outcome !== '2xx') span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(end);
    }
  }

  onRetry(event: GenieRetryEvent): void {
    this.retries++;
    this.instruments?.apiRetries.add(1, { endpoint: event.endpoint, reason: event.reason });
  }

  /** Runs `work` inside a `genie.answer` span joined to the host's trace (when tracing is on). */
  async inAnswerSpan<T>(traceparent: string | undefined, work: () => Promise<T>): Promise<T> {
    const tracer = this.options.tracer;
    if (!tracer) return work();
    return tracer.startActiveSpan('genie.answer', { kind: SpanKind.CONSUMER }, contextFromTraceparent(traceparent), async (span: Span) => {
      try {
        return await work();
      } catch (error: unknown) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private maybeLogStats(): void {
    const now = this.clock.now();
    const due = now - this.lastStatsAt >= (this.options.statsIntervalMs ?? 60_000);
    if (!due && this.random() >= (this.options.statsSampleRate ?? 0.01)) return;
    if (due) this.lastStatsAt = now;
    this.statsLines++;
    this.options.logger.info('stats', this.statsFields(due ? 'interval' : 'sample'));
  }

  /** How many stats summaries this instance wrote (tests and the log-volume benchmark). */
  get statsLogLines(): number {
    return this.statsLines;
  }

  private statsFields(trigger: string): Record<string, string | number | undefined> {
    const q = this.questions;
    const answer = this.latency.answer.summary();
    const genie = this.latency.genie.summary();
    const webhook = this.latency.webhook.summary();
    const http = this.options.httpStats?.();
    return {
      trigger,
      questions: q.total,
      answered: q.answered,
      clarification: q.clarification,
      failed: q.failed,
      inFlight: q.inFlight,
      answerP50: answer.p50,
      answerP95: answer.p95,
      genieP50: genie.p50,
      webhookP99: webhook.p99,
      genieRetries: this.retries,
      genie429: this.throttled,
      genieTimeouts: this.timeouts,
      socketsCreated: http?.socketsCreated,
      socketsReused: http?.socketsReused,
      rssMb: Math.round(process.memoryUsage.rss() / 1048576),
    };
  }

  private async sessionsActive(): Promise<number | undefined> {
    const provider = this.options.sessionsActive;
    if (!provider) return undefined;
    const now = this.clock.now();
    // Counting may scan a table: at most once a minute, however often /api/metrics is called.
    if (!this.sessionsCache || now - this.sessionsCache.at > 60_000) {
      try {
        this.sessionsCache = { value: await provider(), at: now };
      } catch (error: unknown) {
        this.options.logger.warn('sessions.count_failed', { error: error instanceof Error ? error.name : 'unknown' });
        return this.sessionsCache?.value;
      }
    }
    return this.sessionsCache.value;
  }

  private cpuPercent(): number {
    const usage = process.cpuUsage(this.lastCpu.usage);
    const at = process.hrtime.bigint();
    const wallUs = Number(at - this.lastCpu.at) / 1000;
    this.lastCpu = { usage: process.cpuUsage(), at };
    return wallUs > 0 ? Math.round(((usage.user + usage.system) / wallUs) * 1000) / 10 : 0;
  }

  /** The figures /api/metrics shows: this instance's only. */
  async snapshot(coldStart: boolean): Promise<Record<string, unknown>> {
    const q = this.questions;
    const finished = q.answered + q.clarification + q.failed;
    const memory = process.memoryUsage();
    const http = this.options.httpStats?.();
    const calls: Record<string, Record<string, number>> = {};
    for (const [key, count] of this.genieCalls) {
      const [endpoint = '', outcome = ''] = key.split(' ');
      (calls[endpoint] ??= {})[outcome] = count;
    }
    const loopP99 = this.loopDelay.percentile(99) / 1e6;
    return {
      status: 'ok',
      timestamp: new Date(this.clock.now()).toISOString(),
      scope: 'These figures are this instance’s only; the fleet-wide view is in Application Insights.',
      instance: { ...instanceInfo(), coldStart },
      setup: this.options.setup ?? {},
      questions: {
        total: q.total,
        answered: q.answered,
        clarification: q.clarification,
        failed: q.failed,
        inFlight: q.inFlight,
        successRate: finished ? Math.round(((q.answered + q.clarification) / finished) * 1000) / 1000 : null,
        failuresByReason: Object.fromEntries(this.failures),
      },
      refusalsByReason: Object.fromEntries(this.refusals),
      latencyMs: { webhookAck: this.latency.webhook.summary(), genie: this.latency.genie.summary(), answer: this.latency.answer.summary() },
      genie: {
        calls,
        callLatencyMs: Object.fromEntries([...this.genieCallLatency].map(([endpoint, h]) => [endpoint, h.summary()])),
        retries: this.retries,
        throttled429: this.throttled,
        timeouts: this.timeouts,
      },
      http: http ? { socketsCreated: http.socketsCreated, socketsReused: http.socketsReused, socketsOpen: http.socketsOpen, requests: http.requests } : null,
      sessions: { active: (await this.sessionsActive()) ?? null },
      process: {
        rssMb: Math.round(memory.rss / 104857.6) / 10,
        heapUsedMb: Math.round(memory.heapUsed / 104857.6) / 10,
        cpuPercent: this.cpuPercent(),
        eventLoopDelayP99Ms: Number.isFinite(loopP99) ? Math.round(loopP99 * 10) / 10 : null,
      },
    };
  }
}
