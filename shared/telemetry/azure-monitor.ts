import type * as AzureIdentity from '@azure/identity';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';

import type { AppConfig } from '../config';

export interface OpenTelemetryHandles {
  readonly meter: Meter;
  readonly tracer: Tracer;
}

let started: OpenTelemetryHandles | undefined;

/**
 * Starts the Azure Monitor OpenTelemetry distro once per process, and only when a connection
 * string is configured: the SDK costs ~0.5 s to load, which no request should pay for nothing.
 * Automatic HTTP and Azure SDK instrumentation stay off: the host already records requests, and
 * our own `genie.api` spans describe Genie calls without URLs (which carry ids).
 */
export function startAzureMonitor(telemetry: AppConfig['telemetry'], serviceVersion: string): OpenTelemetryHandles | undefined {
  if (started) return started;
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
  started = {
    meter: metrics.getMeter('genie-teams-bot', serviceVersion),
    tracer: trace.getTracer('genie-teams-bot', serviceVersion),
  };
  return started;
}
