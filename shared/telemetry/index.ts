export { type OpenTelemetryHandles,startAzureMonitor } from './azure-monitor';
export { LatencyHistogram } from './histogram';
export { consoleSink, createLogger, type LogFields, type Logger, type LogSink, truncateForLog } from './log';
export { contextFromTraceparent, type QuestionOutcome, Telemetry, type TelemetryOptions } from './telemetry';
