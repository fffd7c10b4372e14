import type { InstanceInfo } from '../runtime';
import type { LatencySummary } from './histogram';

/**
 * Questions as this instance saw them. In queue mode the webhook accepts a question on one
 * instance and the worker answers it on another: each figure counts only this instance's part.
 */
export interface QuestionFigures {
  /** Questions this instance's webhook recorded and handed to the answer worker. */
  readonly accepted: number;
  /** Answer attempts running on this instance now (the worker's, queue or inline). */
  readonly answering: number;
  /** Questions this instance's worker finished, by outcome. */
  readonly answered: number;
  readonly clarification: number;
  readonly failed: number;
  /** (answered + clarification) / finished, of the questions this instance finished; null before the first. */
  readonly successRate: number | null;
  readonly failuresByReason: Readonly<Record<string, number>>;
}

export interface GenieFigures {
  /** Attempts by endpoint, then outcome (`2xx`…`5xx`, `timeout`, `network`). */
  readonly calls: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly callLatencyMs: Readonly<Record<string, LatencySummary>>;
  readonly retries: number;
  readonly throttled429: number;
  readonly timeouts: number;
}

export interface ProcessFigures {
  readonly rssMb: number;
  readonly heapUsedMb: number;
  /** CPU time over wall time in the last minute (100 = one core busy), the same whoever reads it and how often. */
  readonly cpuPercent: number;
  /** The wall time `cpuPercent` covers: 60–70 s once the process has run a minute, less before. */
  readonly cpuWindowSeconds: number;
  /** CPU time over wall time since the process started. */
  readonly cpuPercentSinceStart: number;
  /** Event-loop delay p99 since the process started; null before the first sample. */
  readonly eventLoopDelayP99Ms: number | null;
}

/** GET /api/metrics: this instance's figures since it started. */
export interface MetricsDocument {
  readonly status: 'ok';
  readonly timestamp: string;
  readonly scope: string;
  readonly instance: InstanceInfo & { readonly coldStart: boolean };
  /** How this instance is set up (no secrets). */
  readonly setup: Readonly<Record<string, string | boolean>>;
  readonly questions: QuestionFigures;
  /** Activities the policy gate refused here, by reason code. */
  readonly refusalsByReason: Readonly<Record<string, number>>;
  readonly latencyMs: { readonly webhookAck: LatencySummary; readonly genie: LatencySummary; readonly answer: LatencySummary };
  readonly genie: GenieFigures;
  readonly http: {
    readonly socketsCreated: number;
    readonly socketsReused: number;
    readonly socketsOpen: number;
    readonly requests: number;
  } | null;
  readonly sessions: { readonly active: number | null };
  readonly process: ProcessFigures;
}

export const METRICS_SCOPE = 'These figures are this instance’s only; the fleet-wide view is in Application Insights.';
