import { type Meter, metrics, trace, type Tracer } from '@opentelemetry/api';

import type { AppConfig } from '../config';

export interface OpenTelemetryHandles {
  readonly meter: Meter;
  readonly tracer: Tracer;
}

export type AzureMonitorSettings = Pick<AppConfig['telemetry'], 'connectionString' | 'entraAuth' | 'samplingRatio'>;

/** Azure Monitor registers OpenTelemetry's global providers: a second start with other settings cannot take effect. */
export class AzureMonitorConflictError extends Error {
  constructor() {
    super('Azure Monitor already runs in this process with other settings: it starts once per process');
    this.name = 'AzureMonitorConflictError';
  }
}

let started: { readonly settings: string; readonly handles: Promise<OpenTelemetryHandles> } | undefined;

/** The settings as one comparable value; held in memory only, as it contains the connection string. */
function settingsKey(telemetry: AzureMonitorSettings, serviceVersion: string): string {
  return JSON.stringify([telemetry.connectionString ?? null, telemetry.entraAuth ?? null, telemetry.samplingRatio, serviceVersion]);
}

/**
 * Starts the Azure Monitor OpenTelemetry distro, only when a connection string is configured: the
 * SDK is a chunk of its own in deploy/, loaded here and nowhere else, so no request pays for it
 * without a connection string. Once per process: it installs the global OpenTelemetry providers,
 * so a later call with the same settings gets the same handles and one with other settings
 * (including none) is refused with {@link AzureMonitorConflictError}.
 * Automatic HTTP and Azure SDK instrumentation stay off: the host already records requests, and
 * our own `genie.api` spans describe Genie calls without URLs (which carry ids).
 */
export function startAzureMonitor(telemetry: AzureMonitorSettings, serviceVersion: string): Promise<OpenTelemetryHandles | undefined> {
  const settings = settingsKey(telemetry, serviceVersion);
  if (started) return started.settings === settings ? started.handles : Promise.reject(new AzureMonitorConflictError());
  if (!telemetry.connectionString) return Promise.resolve(undefined);
  // Recorded before the SDK loads, so concurrent callers share one start.
  started = { settings, handles: start(telemetry.connectionString, telemetry, serviceVersion) };
  return started.handles;
}

async function start(connectionString: string, telemetry: AzureMonitorSettings, serviceVersion: string): Promise<OpenTelemetryHandles> {
  const { useAzureMonitor } = await import('@azure/monitor-opentelemetry');
  const identity = telemetry.entraAuth ? await import('@azure/identity') : undefined;
  // The distro does not read APPLICATIONINSIGHTS_AUTHENTICATION_STRING: with local auth disabled the credential is passed here.
  const credential = identity
    ? telemetry.entraAuth?.clientId
      ? new identity.ManagedIdentityCredential({ clientId: telemetry.entraAuth.clientId })
      : new identity.DefaultAzureCredential()
    : undefined;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, ...(credential ? { credential } : {}) },
    samplingRatio: telemetry.samplingRatio,
    tracesPerSecond: 0,
    enableLiveMetrics: true,
    instrumentationOptions: { http: { enabled: false }, azureSdk: { enabled: false } },
  });
  return {
    meter: metrics.getMeter('genie-teams-bot', serviceVersion),
    tracer: trace.getTracer('genie-teams-bot', serviceVersion),
  };
}
