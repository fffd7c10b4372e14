import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { type AppConfig, ConfigError, type ConfigProblem, loadConfig } from '../../../shared/config';

const PAT = 'dapi0123456789abcdef0123456789abcdef';
const base = {
  DATABRICKS_HOST: 'https://adb-1234567890123456.7.azuredatabricks.net/',
  GENIE_SPACE_ID: '01ef64767add1e6daa55e6299276657d',
  DATABRICKS_TOKEN: PAT,
  ANSWER_DISPATCH: 'inline',
};

function ok(env: Record<string, string>): AppConfig {
  const result = loadConfig(env);
  assert.ok(result.ok, `expected a valid config, got ${JSON.stringify(result.ok ? [] : result.problems)}`);
  return result.config;
}

function problems(env: Record<string, string>): readonly ConfigProblem[] {
  const result = loadConfig(env);
  assert.ok(!result.ok, 'expected configuration problems');
  return result.problems;
}

describe('loadConfig', () => {
  it('reads a minimal PAT setup with documented defaults', () => {
    const config = ok(base);
    assert.equal(config.databricks.host, 'https://adb-1234567890123456.7.azuredatabricks.net');
    assert.deepEqual(config.databricks.auth, { type: 'pat', token: PAT });
    assert.equal(config.http.connectTimeoutMs, 5000);
    assert.equal(config.http.readTimeoutMs, 10000);
    assert.equal(config.http.totalTimeoutMs, 30000);
    assert.equal(config.http.maxSockets, 100);
    assert.equal(config.http.maxSocketsPerHost, 30);
    assert.equal(config.state.sessionIdleMs, 240 * 60_000);
    assert.equal(config.state.store, 'memory');
    assert.equal(config.bot.authEnabled, false);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.http), 'config is frozen');
  });

  it('reports every missing setting at once, by name', () => {
    const found = problems({});
    const names = found.map((p) => p.setting);
    assert.ok(names.includes('DATABRICKS_HOST'));
    assert.ok(names.includes('GENIE_SPACE_ID'));
    assert.ok(names.includes('DATABRICKS_TOKEN'), 'credentials are named');
    assert.ok(names.includes('AzureWebJobsStorage'), 'queue dispatch (the default) needs storage');
    assert.ok(
      found.every((p) => p.expected.length > 10),
      'each problem says what was expected',
    );
    const error = new ConfigError(found);
    for (const name of ['DATABRICKS_HOST', 'GENIE_SPACE_ID', 'DATABRICKS_TOKEN']) assert.match(error.message, new RegExp(name));
  });

  it('reports invalid values together with what was expected', () => {
    const found = problems({
      ...base,
      HTTP_CONNECT_TIMEOUT_MS: 'soon',
      SESSION_IDLE_MINUTES: '-5',
      LOG_QUESTION_TEXT: 'maybe',
      MicrosoftAppType: 'Everyone',
    });
    const byName = new Map(found.map((p) => [p.setting, p]));
    assert.deepEqual([...byName.keys()].sort(), [
      'HTTP_CONNECT_TIMEOUT_MS',
      'LOG_QUESTION_TEXT',
      'MicrosoftAppType',
      'SESSION_IDLE_MINUTES',
    ]);
    assert.match(byName.get('HTTP_CONNECT_TIMEOUT_MS')!.expected, /integer from 100/);
    assert.match(byName.get('MicrosoftAppType')!.expected, /SingleTenant/);
    assert.ok(found.every((p) => p.kind === 'invalid'));
  });

  it('accepts http only for loopback hosts', () => {
    assert.equal(ok({ ...base, DATABRICKS_HOST: 'http://127.0.0.1:8080' }).databricks.host, 'http://127.0.0.1:8080');
    assert.equal(ok({ ...base, DATABRICKS_HOST: 'http://localhost:8080' }).databricks.host, 'http://localhost:8080');
    const found = problems({ ...base, DATABRICKS_HOST: 'http://adb-1.azuredatabricks.net' });
    assert.equal(found[0]?.setting, 'DATABRICKS_HOST');
    assert.match(found[0].expected, /https/);
    assert.equal(ok({ ...base, DATABRICKS_HOST: 'adb-1.azuredatabricks.net' }).databricks.host, 'https://adb-1.azuredatabricks.net');
  });

  it('never echoes a secret, even when it is invalid', () => {
    const secret = 'super-secret-value-123';
    const found = problems({ ...base, DATABRICKS_TOKEN: '', AzureWebJobsStorage: secret, STATE_STORE: 'table' });
    const text = JSON.stringify(found) + new ConfigError(found).message;
    assert.ok(
      found.some((p) => p.setting === 'AzureWebJobsStorage'),
      'the invalid secret is reported by name',
    );
    assert.ok(!text.includes(secret), 'the secret value is not in the report');
    const visible = problems({ ...base, LOG_LEVEL: 'loud' });
    assert.match(visible[0]!.expected, /got "loud"/, 'non-secret values are echoed to help');
  });

  it('infers the auth type like the Databricks SDKs and rejects ambiguity', () => {
    const m2m = ok({ ...base, DATABRICKS_TOKEN: '', DATABRICKS_CLIENT_ID: 'sp-id', DATABRICKS_CLIENT_SECRET: 'sp-secret' });
    assert.deepEqual(m2m.databricks.auth, { type: 'oauth-m2m', clientId: 'sp-id', clientSecret: 'sp-secret' });
    const msi = ok({ ...base, DATABRICKS_TOKEN: '', DATABRICKS_AUTH_TYPE: 'azure-msi', ARM_CLIENT_ID: 'uami' });
    assert.deepEqual(msi.databricks.auth, { type: 'azure-msi', clientId: 'uami' });
    const both = problems({ ...base, DATABRICKS_CLIENT_ID: 'sp-id', DATABRICKS_CLIENT_SECRET: 'sp-secret' });
    assert.equal(both[0]?.setting, 'DATABRICKS_AUTH_TYPE');
    const partial = problems({ ...base, DATABRICKS_TOKEN: '', DATABRICKS_AUTH_TYPE: 'azure-client-secret', ARM_CLIENT_ID: 'app' });
    assert.deepEqual(partial.map((p) => p.setting).sort(), ['ARM_CLIENT_SECRET', 'ARM_TENANT_ID']);
  });

  it('checks bot credentials only when an app id is set, and requires one in Azure', () => {
    assert.equal(ok(base).bot.authEnabled, false);
    const single = problems({ ...base, MicrosoftAppId: '00000000-0000-0000-0000-000000000001' });
    assert.deepEqual(single.map((p) => p.setting).sort(), ['MicrosoftAppPassword', 'MicrosoftAppTenantId']);
    const msi = ok({ ...base, MicrosoftAppId: 'id', MicrosoftAppType: 'userassignedmsi', MicrosoftAppTenantId: 'tenant' });
    assert.equal(msi.bot.appType, 'UserAssignedMSI');
    assert.equal(msi.bot.authEnabled, true);
    const azure = problems({ ...base, WEBSITE_SITE_NAME: 'genie-bot' });
    assert.equal(azure[0]?.setting, 'MicrosoftAppId');
  });

  it('chooses table state when storage is configured and refuses memory state behind a queue', () => {
    const withStorage = ok({ ...base, ANSWER_DISPATCH: 'queue', AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    assert.equal(withStorage.state.store, 'table');
    const identity = ok({
      ...base,
      ANSWER_DISPATCH: 'queue',
      AzureWebJobsStorage__accountName: 'stgenie',
      AzureWebJobsStorage__clientId: 'uami',
    });
    assert.deepEqual(identity.storage, {
      kind: 'identity',
      tableServiceUri: 'https://stgenie.table.core.windows.net',
      queueServiceUri: 'https://stgenie.queue.core.windows.net',
      clientId: 'uami',
    });
    const mixed = problems({ ...base, ANSWER_DISPATCH: 'queue', STATE_STORE: 'memory', AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    assert.equal(mixed[0]?.setting, 'STATE_STORE');
  });

  it('parses sample questions and the Application Insights Entra setting', () => {
    const config = ok({
      ...base,
      SAMPLE_QUESTIONS: ' Top products? ;; Revenue by region ;',
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=abc',
    });
    assert.deepEqual(config.bot.sampleQuestions, ['Top products?', 'Revenue by region']);
    assert.deepEqual(config.telemetry.entraAuth, { clientId: 'abc' });
    const bad = problems({ ...base, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=Key' });
    assert.equal(bad[0]?.setting, 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
  });
});
