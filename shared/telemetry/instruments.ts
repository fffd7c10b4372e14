import {
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

import type { GenieCallEvent } from '../genie';
import type { HttpClientStats } from '../http';

/**
 * The OpenTelemetry instruments, made once per app (never per event). Names are the stable ones
 * README "Operating it" lists and the workbook charts; attributes are low-cardinality codes only.
 */
export interface Instruments {
  readonly questions: Counter;
  readonly answerDuration: Histogram;
  readonly waitDuration: Histogram;
  readonly apiCalls: Counter;
  readonly apiDuration: Histogram;
  readonly apiRetries: Counter;
  readonly apiThrottled: Counter;
  readonly webhookDuration: Histogram;
  readonly refusals: Counter;
}

/** What the observable instruments read when the SDK collects. */
export interface ObservedFigures {
  readonly sessionsActive: () => number | undefined;
  readonly httpStats: () => HttpClientStats | undefined;
}

export function createInstruments(meter: Meter, observed: ObservedFigures): Instruments {
  meter
    .createObservableGauge('sessions.active', { description: 'Chats with a live session (this instance’s view)', unit: '{session}' })
    .addCallback((result) => {
      const active = observed.sessionsActive();
      if (active !== undefined) result.observe(active);
    });
  meter.createObservableCounter('http.sockets.created', { unit: '{socket}' }).addCallback((result) => {
    const stats = observed.httpStats();
    if (stats) result.observe(stats.socketsCreated);
  });
  meter.createObservableCounter('http.sockets.reused', { unit: '{socket}' }).addCallback((result) => {
    const stats = observed.httpStats();
    if (stats) result.observe(stats.socketsReused);
  });
  return {
    questions: meter.createCounter('genie.questions', { description: 'Questions finished, by outcome and reason', unit: '{question}' }),
    answerDuration: meter.createHistogram('genie.answer.duration', { description: 'Question received to answer sent', unit: 'ms' }),
    waitDuration: meter.createHistogram('genie.wait.duration', { description: 'Time Genie took to answer', unit: 'ms' }),
    apiCalls: meter.createCounter('genie.api.calls', { description: 'Genie API attempts', unit: '{call}' }),
    apiDuration: meter.createHistogram('genie.api.duration', { description: 'Genie API attempt duration', unit: 'ms' }),
    apiRetries: meter.createCounter('genie.api.retries', { description: 'Genie API retries', unit: '{retry}' }),
    apiThrottled: meter.createCounter('genie.api.throttled', { description: 'Genie API 429 answers', unit: '{call}' }),
    webhookDuration: meter.createHistogram('bot.webhook.duration', { description: 'Webhook request to response', unit: 'ms' }),
    refusals: meter.createCounter('bot.policy.refusals', {
      description: 'Activities the policy gate refused, by reason',
      unit: '{activity}',
    }),
  };
}

/** A W3C traceparent as a parent context, so our spans join the Functions host's trace. */
function contextFromTraceparent(traceparent: string | undefined): Context {
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

/** A Genie call that already happened, as a `genie.api <endpoint>` span with its real start and end, under the active span. */
export function recordCallSpan(tracer: Tracer, event: GenieCallEvent, end: number = Date.now()): void {
  // No http.* attributes on purpose: the exporter would rename the span after the URL and the
  // workbook's per-endpoint view would lose it.
  const span = tracer.startSpan(`genie.api ${event.endpoint}`, {
    kind: SpanKind.CLIENT,
    startTime: end - event.durationMs,
    attributes: {
      'genie.endpoint': event.endpoint,
      'genie.status_class': event.outcome,
      ...(event.status ? { 'genie.status': event.status } : {}),
    },
  });
  if (event.outcome !== '2xx') span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(end);
}

/**
 * Azure Monitor names a consumer span's `requests` row after this attribute (only server spans get
 * their span name): without it the row is nameless and `where name == "genie.answer"` finds nothing.
 */
const OPERATION_NAME = 'ai.operation.name';

/** Runs `work` inside a `genie.answer` span joined to the host's trace. */
export function inAnswerSpan<T>(tracer: Tracer, traceparent: string | undefined, work: () => Promise<T>): Promise<T> {
  const options = { kind: SpanKind.CONSUMER, attributes: { [OPERATION_NAME]: 'genie.answer' } };
  return tracer.startActiveSpan('genie.answer', options, contextFromTraceparent(traceparent), async (span: Span) => {
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
