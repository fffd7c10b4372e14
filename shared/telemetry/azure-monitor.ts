import type * as AzureIdentity from '@azure/identity';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';

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

let started: { readonly settings: string; readonly handles: OpenTelemetryHandles } | undefined;

/** The settings as one comparable value; held in memory only, as it contains the connection string. */
function settingsKey(telemetry: AzureMonitorSettings, serviceVersion: string): string {
  return JSON.stringify([telemetry.connectionString ?? null, telemetry.entraAuth ?? null, telemetry.samplingRatio, serviceVersion]);
}

/**
 * Starts the Azure Monitor OpenTelemetry distro, only when a connection string is configured: the
 * SDK costs ~0.5 s to load, which no request should pay for nothing. Once per process: it installs
 * the global OpenTelemetry providers, so a later call with the same settings gets the same handles
 * and one with other settings (including none) throws {@link AzureMonitorConflictError}.
 * Automatic HTTP and Azure SDK instrumentation stay off: the host already records requests, and
 * our own `genie.api` spans describe Genie calls without URLs (which carry ids).
 */
export function startAzureMonitor(telemetry: AzureMonitorSettings, serviceVersion: string): OpenTelemetryHandles | undefined {
  const settings = settingsKey(telemetry, serviceVersion);
  if (started) {
    if (started.settings !== settings) throw new AzureMonitorConflictError();
    return started.handles;
  }
  if (!telemetry.connectionString) return undefined;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, and as CommonJS like the rest of the app */
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof AzureMonitor;
  const { metrics, trace } = require('@opentelemetry/api') as typeof OpenTelemetryApi;
  const identity = telemetry.entraAuth ? (require('@azure/identity') as typeof AzureIdentity) : undefined;
  /* eslint-enable @typescript-eslint/no-require-imports */
  // The distro does not read APPLICATIONINSIGHTS_AUTHENTICATION_STRING: with local auth disabled the credential is passed here.
  const credential = identity
    ? telemetry.entraAuth?.clientId
      ? new identity.ManagedIdentityCredential({ clientId: telemetry.entraAuth.clientId })
      : new identity.DefaultAzureCredential()
    : undefined;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString: telemetry.connectionString, ...(credential ? { credential } : {}) },
    samplingRatio: telemetry.samplingRatio,
    tracesPerSecond: 0,
    enableLiveMetrics: true,
    instrumentationOptions: { http: { enabled: false }, azureSdk: { enabled: false } },
  });
  const handles = {
    meter: metrics.getMeter('genie-teams-bot', serviceVersion),
    tracer: trace.getTracer('genie-teams-bot', serviceVersion),
  };
  started = { settings, handles };
  return handles;
}
