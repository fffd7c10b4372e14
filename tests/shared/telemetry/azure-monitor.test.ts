import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { shutdownAzureMonitor } from '@azure/monitor-opentelemetry';

import { AzureMonitorConflictError, startAzureMonitor } from '../../../shared/telemetry';
import { FAKE_INSTRUMENTATION_KEY, SDK_SELF_REPORTS_OFF } from '../../helpers/ingestion';

/** Nothing is exported here (the SDK sends on an interval or at shutdown): the address only has to parse. */
const CONNECTION_STRING = `InstrumentationKey=${FAKE_INSTRUMENTATION_KEY};IngestionEndpoint=https://127.0.0.1:9/;LiveEndpoint=https://127.0.0.1:9/`;

describe('startAzureMonitor', () => {
  const saved = { ...process.env };
  before(() => Object.assign(process.env, SDK_SELF_REPORTS_OFF));
  after(async () => {
    await shutdownAzureMonitor();
    process.env = saved;
  });

  it('starts once per process: the same settings get the same handles, other settings are refused', async () => {
    assert.equal(await startAzureMonitor({ samplingRatio: 1 }, '1.0.0'), undefined, 'nothing starts without a connection string');
    const settings = { connectionString: CONNECTION_STRING, samplingRatio: 1 };
    // Two callers at once share one start.
    const [first, concurrent] = await Promise.all([startAzureMonitor(settings, '1.0.0'), startAzureMonitor({ ...settings }, '1.0.0')]);
    assert.ok(first);
    assert.equal(concurrent, first);
    assert.equal(await startAzureMonitor({ ...settings }, '1.0.0'), first);
    for (const other of [{ ...settings, samplingRatio: 0.5 }, { ...settings, entraAuth: {} }, { samplingRatio: 1 }]) {
      await assert.rejects(startAzureMonitor(other, '1.0.0'), AzureMonitorConflictError, JSON.stringify(other));
    }
    // The message names no setting's value: the connection string holds the instrumentation key.
    await assert.rejects(
      startAzureMonitor(settings, '2.0.0'),
      (error: Error) => error instanceof AzureMonitorConflictError && !error.message.includes(FAKE_INSTRUMENTATION_KEY),
    );
  });
});
