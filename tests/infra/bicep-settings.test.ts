/**
 * The Bicep cannot be compiled here (no bicep CLI, no Azure), so this checks what can be checked from
 * the text: the app settings the templates set against the settings the code reads
 * (shared/config/records/), every deployment mode against the real config loader, and the names
 * the templates must agree on (queue, tables, Key Vault secrets, parameters).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { loadConfig, QUESTIONS_QUEUE, SETTINGS } from '../../shared/config';

const ROOT = join(__dirname, '..', '..', '..');
const read = (...path: string[]): string => readFileSync(join(ROOT, ...path), 'utf8');

// ------------------------------------------------------------------------------- a small Bicep reader

type BicepValue = { kind: 'object'; entries: Map<string, BicepValue> } | { kind: 'expr'; text: string };
type Token = { type: 'string' | 'word' | 'punct' | 'newline'; text: string };

/** Splits Bicep text into strings (with ${…} interpolations kept whole), punctuation, words and newlines; drops comments. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch === '\n') {
      tokens.push({ type: 'newline', text: ch });
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (ch === "'") {
      let j = i + 1;
      let depth = 0;
      while (j < text.length) {
        const c = text[j];
        if (c === '\\') j += 2;
        else if (depth === 0 && c === "'") break;
        else if (text.startsWith('${', j)) {
          depth++;
          j += 2;
        } else {
          if (c === '}' && depth > 0) depth--;
          j++;
        }
      }
      tokens.push({ type: 'string', text: text.slice(i, j + 1) });
      i = j + 1;
    } else if ('{}[]():,'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch });
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s{}[\]():,']/.test(text[j] ?? '') && !text.startsWith('//', j)) j++;
      tokens.push({ type: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** Every `var NAME = { … }` of a Bicep file as nested objects; values that are not objects stay expression text. */
function parseObjectVars(text: string): Map<string, BicepValue> {
  const tokens = tokenize(text);
  const vars = new Map<string, BicepValue>();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const skipNewlines = (): void => {
    while (peek()?.type === 'newline') pos++;
  };
  const parseObject = (): BicepValue => {
    assert.equal(peek()?.text, '{');
    pos++;
    const entries = new Map<string, BicepValue>();
    for (;;) {
      skipNewlines();
      const key = peek();
      if (!key) throw new Error('unterminated object');
      if (key.text === '}') {
        pos++;
        return { kind: 'object', entries };
      }
      pos++;
      assert.equal(peek()?.text, ':', `expected ":" after ${key.text}`);
      pos++;
      const name = key.type === 'string' ? key.text.slice(1, -1) : key.text;
      if (peek()?.text === '{') {
        entries.set(name, parseObject());
        continue;
      }
      const parts: string[] = [];
      let depth = 0;
      for (let t = peek(); t; t = peek()) {
        if (depth === 0 && (t.type === 'newline' || t.text === '}')) break;
        if ('([{'.includes(t.text) && t.type === 'punct') depth++;
        if (')]}'.includes(t.text) && t.type === 'punct') depth--;
        parts.push(t.text);
        pos++;
      }
      entries.set(name, { kind: 'expr', text: parts.join(' ') });
    }
  };
  while (pos < tokens.length) {
    const t = tokens[pos];
    if (t?.type === 'word' && t.text === 'var' && tokens[pos + 2]?.text === '=' && tokens[pos + 3]?.text === '{') {
      const name = tokens[pos + 1]?.text ?? '';
      pos += 3;
      vars.set(name, parseObject());
    } else {
      pos++;
    }
  }
  return vars;
}

function objectAt(vars: Map<string, BicepValue>, name: string): Map<string, BicepValue> {
  const value = vars.get(name);
  assert.ok(value?.kind === 'object', `var ${name} is an object in the Bicep`);
  return value.entries;
}

function exprs(entries: Map<string, BicepValue>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of entries) {
    assert.equal(value.kind, 'expr', `${key} is a plain setting`);
    if (value.kind === 'expr') out.set(key, value.text);
  }
  return out;
}

/** `@allowed([...])` values and the default of `param NAME` in main.bicep. */
function paramInfo(bicep: string, name: string): { allowed: string[]; default?: string } {
  const m = new RegExp(`((?:@[^\\n]*\\n)*)param ${name} \\w+(?: = '([^']*)')?`).exec(bicep);
  assert.ok(m, `param ${name} in main.bicep`);
  const allowed = /@allowed\(\[([^\]]*)\]\)/.exec(m[1] ?? '')?.[1] ?? '';
  const def = m[2];
  return { allowed: [...allowed.matchAll(/'([^']*)'/g)].map((a) => a[1] ?? ''), ...(def === undefined ? {} : { default: def }) };
}

// ------------------------------------------------------------------------------- the templates

const API = read('infra', 'app', 'api.bicep');
const MAIN = read('infra', 'main.bicep');
const START = API.indexOf('// app-settings:start');
const END = API.indexOf('// app-settings:end');
const SETTINGS_BLOCK = API.slice(START, END);
const VARS = parseObjectVars(SETTINGS_BLOCK);
const BASE_BLOCKS = ['storageSettings', 'telemetrySettings', 'appSettingsBase'];
const BASE = new Map(BASE_BLOCKS.flatMap((name) => [...exprs(objectAt(VARS, name))]));
/** The settings of each mode of a `var NAME = { mode: { KEY: value } }` block. */
function modes(name: string): Map<string, Map<string, string>> {
  return new Map([...objectAt(VARS, name)].map(([mode, value]) => [mode, exprs(objectAt(new Map([[mode, value]]), mode))]));
}
const AUTH_MODES = modes('databricksAuthModes');
const BOT_MODES = modes('botModes');
const ALL_KEYS = new Set([...BASE.keys(), ...[...AUTH_MODES.values(), ...BOT_MODES.values()].flatMap((m) => [...m.keys()])]);

/** Settings the templates may set that shared/config/records/ does not list, each documented by Azure. */
const PLATFORM_SETTINGS = new Map([
  // Identity-based AzureWebJobsStorage (Functions "identity-based connections"); the records document
  // them under AzureWebJobsStorage and shared/config reads them.
  ['AzureWebJobsStorage__accountName', 'storage account for the host, the queue trigger and the app'],
  ['AzureWebJobsStorage__credential', 'managedidentity'],
  ['AzureWebJobsStorage__clientId', 'which user-assigned identity'],
  ['AzureWebJobsStorage__tableServiceUri', 'explicit table endpoint'],
  ['AzureWebJobsStorage__queueServiceUri', 'explicit queue endpoint'],
  ['AzureWebJobsStorage__blobServiceUri', 'explicit blob endpoint'],
  // Functions app settings reference: recommended for every Node.js v4 app so entry-point errors surface.
  ['FUNCTIONS_NODE_BLOCK_ON_ENTRY_POINT_ERROR', 'block start-up on entry-point errors'],
  // Functions app settings reference: the host refuses request bodies larger than this (bytes).
  ['FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', 'largest request body the host accepts'],
]);

/** A plausible value for each Bicep expression the settings use, so the real config loader can judge each mode. */
const FAKE_EXPRESSIONS: Readonly<Record<string, string>> = {
  identityClientId: '0f0f0f0f-1111-2222-3333-444444444444',
  'storage.name': 'stgenie0123456789',
  'applicationInsights.properties.ConnectionString':
    'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  databricksHost: 'https://adb-1234567890123456.7.azuredatabricks.net',
  genieSpaceId: '01ef64767add1e6daa55e6299276657d',
  // One space unless GENIE_SPACES lists more.
  genieSpaces: '',
  genieSpacePins: '',
  stateTablePrefix: 'genie',
  'string ( sessionIdleMinutes )': '240',
  sampleQuestions: 'Top 5 products by revenue?;Orders last week by region',
  defaultLocale: 'zh-TW',
  databricksClientId: '5a5a5a5a-6b6b-7c7c-8d8d-9e9e9e9e9e9e',
  armClientId: '6b6b6b6b-6b6b-7c7c-8d8d-9e9e9e9e9e9e',
  armTenantId: '7c7c7c7c-6b6b-7c7c-8d8d-9e9e9e9e9e9e',
  botAppId: '8d8d8d8d-6b6b-7c7c-8d8d-9e9e9e9e9e9e',
  botTenantId: '7c7c7c7c-6b6b-7c7c-8d8d-9e9e9e9e9e9e',
  // Empty by default: the bot tenant only, everyone in it.
  allowedTenantIds: '',
  allowedUserIds: '',
  allowedGroupIds: '',
  'string ( userQuestionsPerMinute )': '10',
  'string ( genieQuestionsPerMinute )': '5',
  // Per-user mode off by default (main.bicep passes the connection name only in user mode).
  genieIdentity: 'service',
  oauthConnectionName: '',
  userAnswersInSharedChats: 'personal-chat-only',
  adminContact: '',
};

function fakeValue(expr: string): string {
  if (/^'.*'$/s.test(expr)) {
    return expr.slice(1, -1).replace(/\$\{([^}]*)\}/g, (_m, inner: string) => FAKE_EXPRESSIONS[inner.trim()] ?? 'x');
  }
  const fake = FAKE_EXPRESSIONS[expr];
  assert.ok(fake !== undefined, `tests/infra: add a fake value for the Bicep expression \`${expr}\``);
  return fake;
}

function envFor(authMode: string, botMode: string): Record<string, string> {
  const env: Record<string, string> = { WEBSITE_SITE_NAME: 'func-api-test', WEBSITE_INSTANCE_ID: 'instance-1' };
  for (const block of [BASE, AUTH_MODES.get(authMode), BOT_MODES.get(botMode)]) {
    for (const [key, expr] of block ?? []) env[key] = fakeValue(expr);
  }
  return env;
}

// ------------------------------------------------------------------------------- tests

describe('infra: app settings in infra/app/api.bicep', () => {
  it('has one parsable settings block with the expected parts', () => {
    assert.ok(START > 0 && END > START, 'app-settings:start/end markers');
    assert.ok(BASE.size >= 15, `found ${BASE.size} base settings`);
    const union = /union\(([^)]*)\)/s.exec(API.slice(END))?.[1] ?? '';
    for (const part of [...BASE_BLOCKS, 'databricksAuthModes[databricksAuthType]', 'botModes[botAppType]']) {
      assert.ok(union.includes(part), `the app settings union includes ${part}`);
    }
    assert.match(API, /resource configAppSettings 'config' = \{\s*name: 'appsettings'\s*properties: appSettings/);
  });

  it('has exactly one settings mode per allowed databricksAuthType and botAppType, defaulting to the secret-free pair', () => {
    const auth = paramInfo(MAIN, 'databricksAuthType');
    const bot = paramInfo(MAIN, 'botAppType');
    assert.deepEqual([...AUTH_MODES.keys()].sort(), [...auth.allowed].sort());
    assert.deepEqual([...BOT_MODES.keys()].sort(), [...bot.allowed].sort());
    assert.equal(auth.default, 'azure-msi');
    assert.equal(bot.default, 'UserAssignedMSI');
  });

  it('sets every required setting in every mode, and every conditional one in some mode', () => {
    for (const s of SETTINGS.filter((x) => x.need === 'required')) assert.ok(BASE.has(s.name), `${s.name} (required) in the base settings`);
    for (const s of SETTINGS.filter((x) => x.need === 'conditional')) {
      if (s.name === 'AzureWebJobsStorage') {
        // The connection-string form carries a key; Azure uses the identity-based form instead.
        for (const part of ['__accountName', '__credential', '__clientId'])
          assert.ok(BASE.has(`AzureWebJobsStorage${part}`), `AzureWebJobsStorage${part}`);
        assert.ok(!ALL_KEYS.has('AzureWebJobsStorage'), 'no storage connection string (shared keys are disabled)');
        continue;
      }
      assert.ok(ALL_KEYS.has(s.name), `${s.name} (conditional) is set in some mode`);
    }
  });

  it('pins what a production deployment should not leave to defaults', () => {
    const pinned = {
      STATE_STORE: "'table'",
      ANSWER_DISPATCH: "'queue'",
      AzureWebJobsStorage__credential: "'managedidentity'",
      LOG_QUESTION_TEXT: "'false'",
    };
    for (const [key, value] of Object.entries(pinned)) assert.equal(BASE.get(key), value, key);
    assert.match(BASE.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') ?? '', /^'Authorization=AAD;ClientId=\$\{identityClientId\}'$/);
    assert.equal(BASE.get('AzureWebJobsStorage__clientId'), 'identityClientId');
  });

  it('sets only settings the app reads or Azure documents', () => {
    const known = new Set(SETTINGS.map((s) => s.name));
    for (const key of ALL_KEYS)
      assert.ok(known.has(key) || PLATFORM_SETTINGS.has(key), `${key} is neither a setting record nor a documented platform setting`);
    for (const s of SETTINGS.filter((x) => x.name.startsWith('WEBSITE_') || x.name === 'PORT'))
      assert.ok(!ALL_KEYS.has(s.name), `${s.name} is Azure's or local only`);
  });

  it('never puts a secret value in an app setting: secrets are Key Vault references', () => {
    for (const s of SETTINGS.filter((x) => x.kind === 'secret')) {
      for (const block of [BASE, ...AUTH_MODES.values(), ...BOT_MODES.values()]) {
        const expr = block.get(s.name);
        if (expr !== undefined) assert.match(expr, /^'@Microsoft\.KeyVault\(SecretUri=\$\{secretsUri\}\$\{secretNames\.\w+\}\)'$/, s.name);
      }
    }
    assert.match(API, /keyVaultReferenceIdentity: identityId/, 'references resolve as the user-assigned identity');
  });

  it('loads into a complete configuration in every mode, through the real config loader', () => {
    for (const authMode of AUTH_MODES.keys()) {
      for (const botMode of BOT_MODES.keys()) {
        const result = loadConfig(envFor(authMode, botMode));
        assert.ok(result.ok, `${authMode} + ${botMode}: ${result.ok ? '' : JSON.stringify(result.problems)}`);
        const { config } = result;
        assert.equal(config.databricks.auth?.type, authMode);
        assert.equal(config.bot.appType, botMode);
        assert.equal(config.bot.authEnabled, true, 'Bot Framework tokens are checked');
        assert.equal(config.storage?.kind, 'identity');
        assert.equal(config.storage?.kind === 'identity' ? config.storage.clientId : undefined, FAKE_EXPRESSIONS.identityClientId);
        assert.equal(config.state.store, 'table');
        assert.equal(config.answers.dispatch, 'queue');
        assert.deepEqual(config.telemetry.entraAuth, { clientId: FAKE_EXPRESSIONS.identityClientId });
      }
    }
    const defaults = loadConfig(envFor('azure-msi', 'UserAssignedMSI'));
    assert.ok(defaults.ok);
    assert.deepEqual(defaults.config.databricks.auth, { type: 'azure-msi', clientId: FAKE_EXPRESSIONS.identityClientId });
    assert.equal(defaults.config.bot.appId, FAKE_EXPRESSIONS.identityClientId, 'the bot is the managed identity');
  });
});

describe('infra: names the templates and the code must agree on', () => {
  it('creates the questions queue, its poison queue and the three state tables', () => {
    const storage = read('infra', 'app', 'storage.bicep');
    assert.ok(storage.includes(`'${QUESTIONS_QUEUE}'`), QUESTIONS_QUEUE);
    assert.ok(storage.includes(`'${QUESTIONS_QUEUE}-poison'`), `${QUESTIONS_QUEUE}-poison`);
    for (const table of ['sessions', 'dedup', 'jobs']) assert.ok(storage.includes(`'\${stateTablePrefix}${table}'`), table);
    assert.match(storage, /allowSharedKeyAccess: false/);
    assert.equal(BASE.get('STATE_TABLE_PREFIX'), 'stateTablePrefix', 'the app and the tables use the same prefix');
    assert.match(MAIN, /param stateTablePrefix string = 'genie'/);
    assert.equal(SETTINGS.find((s) => s.name === 'STATE_TABLE_PREFIX')?.default, 'genie');
  });

  it('references only Key Vault secrets that main.bicep names and keyvault.bicep writes', () => {
    const names = objectAt(parseObjectVars(MAIN), 'secretNames');
    const keyVault = read('infra', 'app', 'keyvault.bicep');
    const used = new Set([...`${API}\n${keyVault}`.matchAll(/secretNames\.(\w+)/g)].map((m) => m[1] ?? ''));
    for (const name of used) assert.ok(names.has(name), `secretNames.${name} is declared in main.bicep`);
    for (const name of names.keys()) assert.ok(keyVault.includes(`name: secretNames.${name}`), `keyvault.bicep writes ${name}`);
  });

  it('runs Node 22 on Flex Consumption as the user-assigned identity, with the roles the app needs', () => {
    assert.match(API, /name: 'FC1'\s*tier: 'FlexConsumption'/);
    assert.match(API, /runtime: \{\s*name: 'node'\s*version: '22'\s*\}/);
    assert.match(API, /type: 'UserAssigned'/);
    assert.match(API, /type: 'UserAssignedIdentity'\s*userAssignedIdentityResourceId: identityId/);
    const rbac = read('infra', 'app', 'rbac.bicep');
    const roles = {
      'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
      'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
      'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
    };
    for (const [role, id] of Object.entries(roles)) assert.ok(rbac.includes(`'${id}'`), role);
  });

  it('points the bot at the function app and enables the Teams channel', () => {
    assert.match(MAIN, /endpoint: 'https:\/\/\$\{api\.outputs\.defaultHostName\}\/api\/messages'/);
    const bot = read('infra', 'app', 'bot.bicep');
    assert.match(bot, /name: 'MsTeamsChannel'/);
    assert.match(bot, /channelName: 'MsTeamsChannel'/);
    assert.match(bot, /appType == 'UserAssignedMSI' \? \{ msaAppMSIResourceId: identityId \} : \{\}/);
    assert.match(bot, /msaAppId: appId/);
    for (const output of [
      'FUNCTION_APP_URL',
      'BOT_MESSAGING_ENDPOINT',
      'BOT_ID',
      'APPLICATIONINSIGHTS_NAME',
      'APPLICATIONINSIGHTS_RESOURCE_ID',
    ]) {
      assert.match(MAIN, new RegExp(`^output ${output} string = `, 'm'), `output ${output}`);
    }
  });

  it('maps only real parameters in main.parameters.json, and every parameter without a default', () => {
    const file = JSON.parse(read('infra', 'main.parameters.json')) as { parameters: Record<string, unknown> };
    const params = new Map([...MAIN.matchAll(/^param (\w+) \w+( = .*)?$/gm)].map((m) => [m[1] ?? '', m[2] !== undefined]));
    for (const name of Object.keys(file.parameters)) assert.ok(params.has(name), `${name} is a parameter of main.bicep`);
    for (const [name, hasDefault] of params) if (!hasDefault) assert.ok(name in file.parameters, `${name} (no default) is mapped`);
  });

  it('documents every parameter of main.bicep in docs/deploy.md', () => {
    const doc = read('docs', 'deploy.md');
    for (const m of MAIN.matchAll(/^param (\w+) /gm)) assert.ok(doc.includes(`\`${m[1]}\``), `docs/deploy.md mentions \`${m[1]}\``);
  });
});
