import type { FailureReason, GenieCallEvent } from '../genie';
import { LatencyHistogram } from './histogram';
import type { GenieFigures, MetricsDocument, QuestionFigures } from './metrics-document';

export type QuestionOutcome = 'answered' | 'clarification' | 'failed';

const rate = (part: number, whole: number): number | null => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

/**
 * What this instance did, kept in process: /api/metrics and the stats log read it whether or not
 * Application Insights is on (the OpenTelemetry SDK keeps no figures we can read back).
 */
export class InstanceCounters {
  private accepted = 0;
  private answering = 0;
  private readonly outcomes: Record<QuestionOutcome, number> = { answered: 0, clarification: 0, failed: 0 };
  private readonly failures = new Map<string, number>();
  private readonly refusals = new Map<string, number>();
  private readonly latency = { webhookAck: new LatencyHistogram(), genie: new LatencyHistogram(), answer: new LatencyHistogram() };
  private readonly calls = new Map<string, Map<string, number>>();
  private readonly callLatency = new Map<string, LatencyHistogram>();
  private retries = 0;
  private throttled = 0;
  private timeouts = 0;

  webhookHandled(durationMs: number): void {
    this.latency.webhookAck.record(durationMs);
  }

  questionAccepted(): void {
    this.accepted++;
  }

  refused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  refusalsByReason(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.refusals);
  }

  attemptStarted(): void {
    this.answering++;
  }

  attemptEnded(): void {
    this.answering--;
  }

  questionFinished(outcome: QuestionOutcome, reason: FailureReason | 'none', totalMs: number, genieMs?: number): void {
    this.outcomes[outcome]++;
    if (outcome === 'failed') this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
    this.latency.answer.record(totalMs);
    if (genieMs !== undefined) this.latency.genie.record(genieMs);
  }

  genieCall(event: GenieCallEvent): void {
    let byOutcome = this.calls.get(event.endpoint);
    if (!byOutcome) this.calls.set(event.endpoint, (byOutcome = new Map<string, number>()));
    byOutcome.set(event.outcome, (byOutcome.get(event.outcome) ?? 0) + 1);
    let latency = this.callLatency.get(event.endpoint);
    if (!latency) this.callLatency.set(event.endpoint, (latency = new LatencyHistogram()));
    latency.record(event.durationMs);
    if (event.status === 429) this.throttled++;
    if (event.outcome === 'timeout') this.timeouts++;
  }

  genieRetry(): void {
    this.retries++;
  }

  questions(): QuestionFigures {
    const { answered, clarification, failed } = this.outcomes;
    return {
      accepted: this.accepted,
      answering: this.answering,
      answered,
      clarification,
      failed,
      successRate: rate(answered + clarification, answered + clarification + failed),
      failuresByReason: Object.fromEntries(this.failures),
    };
  }

  latencyMs(): MetricsDocument['latencyMs'] {
    return { webhookAck: this.latency.webhookAck.summary(), genie: this.latency.genie.summary(), answer: this.latency.answer.summary() };
  }

  genie(): GenieFigures {
    return {
      calls: Object.fromEntries([...this.calls].map(([endpoint, byOutcome]) => [endpoint, Object.fromEntries(byOutcome)])),
      callLatencyMs: Object.fromEntries([...this.callLatency].map(([endpoint, h]) => [endpoint, h.summary()])),
      retries: this.retries,
      throttled429: this.throttled,
      timeouts: this.timeouts,
    };
  }
}
