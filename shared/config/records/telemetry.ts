import { boolean, choice, number, secret, text } from './kinds';

export const TELEMETRY_SETTINGS = {
  connectionString: text({
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    doc: 'Turns on Application Insights (OpenTelemetry). Off when absent.',
    expected: 'the connection string from the Application Insights overview (InstrumentationKey=…)',
    check: (v) => /InstrumentationKey=/i.test(v),
  }),
  authenticationString: text({
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    doc: 'Entra ID auth for Application Insights with local auth disabled.',
    expected: 'Authorization=AAD, optionally ;ClientId=<user-assigned managed identity client id>',
  }),
  samplingRatio: number({
    name: 'TELEMETRY_SAMPLING_RATIO',
    default: 1,
    min: 0,
    max: 1,
    doc: 'Share of traces sent to Application Insights. Metrics are never sampled.',
  }),
  statsLogIntervalSeconds: number({
    name: 'STATS_LOG_INTERVAL_SECONDS',
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'At most one stats summary per this many seconds.',
  }),
  statsLogSampleRate: number({
    name: 'STATS_LOG_SAMPLE_RATE',
    default: 0.01,
    min: 0,
    max: 1,
    doc: 'Chance of an extra stats summary per question.',
  }),
  logLevel: choice({
    name: 'LOG_LEVEL',
    choices: ['debug', 'info', 'warn', 'error'],
    default: 'info',
    doc: 'Least severe log level written.',
  }),
  logQuestionText: boolean({
    name: 'LOG_QUESTION_TEXT',
    default: false,
    doc: 'true puts question text in logs (debugging only; off keeps user text out of logs and telemetry).',
  }),
  hashSalt: secret({
    name: 'LOG_HASH_SALT',
    defaultNote: 'random per process',
    doc: 'Salt for the user hashes in logs; set it to correlate one user across instances.',
  }),
} as const;
