export { AzureMonitorConflictError, type OpenTelemetryHandles, startAzureMonitor } from './azure-monitor';
export type { QuestionOutcome } from './counters';
export { LatencyHistogram } from './histogram';
export { createLogger, type LogFields, type Logger, type LogSink, truncateForLog } from './log';
export type { MetricsDocument } from './metrics-document';
export { CPU_STEP_MS, CPU_WINDOW_MS, type CpuSample, CpuWindow } from './process-monitor';
export { Telemetry, type TelemetryOptions } from './telemetry';
