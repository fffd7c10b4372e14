import { type ConfigProblem, EnvReader } from './env-reader';

export type { ConfigProblem } from './env-reader';
export { findSetting, type SettingInfo, SETTINGS } from './settings';

/** The queue between the webhook and the answer worker (bindings need a literal, so it is not a setting). */
export const QUESTIONS_QUEUE = 'genie-questions';

export type DatabricksAuthConfig =
  | { readonly type: 'pat'; readonly token: string }
  | { readonly type: 'oauth-m2m'; readonly clientId: string; readonly clientSecret: string }
  | { readonly type: 'azure-client-secret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly type: 'azure-msi'; readonly clientId?: string };

export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly tableServiceUri: string; readonly queueServiceUri: string; readonly clientId?: string };

export type BotAppType = 'SingleTenant' | 'MultiTenant' | 'UserAssignedMSI';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface HttpClientSettings {
  /** TCP connect plus TLS handshake. @default 5000 */
  readonly connectTimeoutMs: number;
  /** Longest silence on an active socket. @default 10000 */
  readonly readTimeoutMs: number;
  /** Whole request. @default 30000 */
  readonly totalTimeoutMs: number;
  /** @default 100 */
  readonly maxSockets: number;
  /** @default 30 */
  readonly maxSocketsPerHost: number;
  /** @default 30000 */
  readonly freeSocketTimeoutMs: number;
}

export interface AppConfig {
  readonly databricks: {
    /** Origin only, e.g. `https://adb-1.azuredatabricks.net`. */
    readonly host: string;
    readonly spaceId: string;
    readonly auth: DatabricksAuthConfig;
  };
  readonly genie: {
    readonly answerTimeoutMs: number;
    readonly deleteExpiredConversations: boolean;
  };
  readonly bot: {
    readonly appId?: string;
    readonly appPassword?: string;
    readonly appType: BotAppType;
    readonly tenantId?: string;
    /** Bot Framework JWTs are checked exactly when an app id is configured. */
    readonly authEnabled: boolean;
    /** Where token signing keys come from; absent: Bot Framework's public cloud. */
    readonly openIdMetadataUrl?: string;
    readonly sampleQuestions: readonly string[];
  };
  readonly storage?: StorageConfig;
  /** Who may ask and how often (shared/policy): checked after authentication, before anything else. */
  readonly policy: PolicySettings;
  readonly state: {
    readonly store: 'memory' | 'table';
    readonly tablePrefix: string;
    readonly sessionIdleMs: number;
    readonly memoryMaxEntries: number;
  };
  readonly answers: {
    readonly dispatch: 'queue' | 'inline';
    readonly statusMessageDelayMs: number;
  };
  readonly cards: {
    readonly maxBytes: number;
    readonly maxRows: number;
    readonly maxColumns: number;
    readonly locale: string;
    /** The only origin Genie's prose in a card may link to: the workspace (DATABRICKS_HOST). */
    readonly linkOrigin: string;
  };
  readonly http: HttpClientSettings;
  readonly telemetry: {
    readonly connectionString?: string;
    /** Entra ID auth for Application Insights (local auth disabled); clientId for a user-assigned identity. */
    readonly entraAuth?: { readonly clientId?: string };
    readonly samplingRatio: number;
    readonly statsLogIntervalMs: number;
    readonly statsLogSampleRate: number;
    readonly logLevel: LogLevel;
    readonly logQuestionText: boolean;
    readonly hashSalt?: string;
  };
}

export interface PolicySettings {
  /** Entra tenants served; absent: no tenant list applies (local development only). */
  readonly allowedTenantIds?: readonly string[];
  /** Bot Framework channel ids served. @default ['msteams'] */
  readonly allowedChannels: readonly string[];
  /** Entra object ids of the people who may ask; absent: anyone who passes the other checks. */
  readonly allowedUserIds?: readonly string[];
  /** Entra group ids (at most 20, one Graph call); a person in any of them may ask. */
  readonly allowedGroupIds?: readonly string[];
  /** Questions per person per minute, across all instances. @default 10 */
  readonly userQuestionsPerMinute: number;
}

/** Microsoft Graph checks at most this many groups per checkMemberGroups call. */
export const MAX_ALLOWED_GROUPS = 20;

export type ConfigResult = { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`Configuration is incomplete:\n${problems.map((p) => `  - ${p.setting}: ${p.kind}, expected ${p.expected}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function readDatabricksHost(r: EnvReader): string {
  const expected = 'the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net';
  const value = r.raw('DATABRICKS_HOST');
  if (value === undefined) {
    r.missing('DATABRICKS_HOST', expected);
    return '';
  }
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(value) ? value : `https://${value}`);
  } catch {
    r.invalid('DATABRICKS_HOST', expected);
    return '';
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url.origin;
  r.invalid('DATABRICKS_HOST', 'an https URL (plain http is allowed only for 127.0.0.1 or localhost)');
  return '';
}

const AUTH_TYPES = ['pat', 'oauth-m2m', 'azure-client-secret', 'azure-msi'] as const;

function readDatabricksAuth(r: EnvReader): DatabricksAuthConfig {
  const explicit = r.has('DATABRICKS_AUTH_TYPE') ? r.choice('DATABRICKS_AUTH_TYPE', AUTH_TYPES, 'pat') : undefined;
  let type = explicit;
  if (type === undefined) {
    // Same inference as the Databricks SDKs: whichever credentials are present, and only one kind.
    const inferred = [
      r.has('DATABRICKS_TOKEN') ? 'pat' : undefined,
      r.has('DATABRICKS_CLIENT_ID') || r.has('DATABRICKS_CLIENT_SECRET') ? 'oauth-m2m' : undefined,
      r.has('ARM_CLIENT_SECRET') ? 'azure-client-secret' : undefined,
      r.boolean('ARM_USE_MSI', false) ? 'azure-msi' : undefined,
    ].filter((t): t is (typeof AUTH_TYPES)[number] => t !== undefined);
    if (inferred.length > 1) {
      r.invalid('DATABRICKS_AUTH_TYPE', `one auth type chosen explicitly: credentials for ${inferred.join(' and ')} are all set`);
    } else if (inferred.length === 0) {
      r.missing(
        'DATABRICKS_TOKEN',
        'Databricks credentials: DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET, or ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET, or DATABRICKS_AUTH_TYPE=azure-msi',
      );
    }
    type = inferred[0] ?? 'pat';
  }
  switch (type) {
    case 'pat':
      return { type, token: requiredUnlessReported(r, 'DATABRICKS_TOKEN', explicit, 'a Databricks personal access token (dapi…)') };
    case 'oauth-m2m':
      return {
        type,
        clientId: r.required('DATABRICKS_CLIENT_ID', 'the service principal application id (oauth-m2m)'),
        clientSecret: r.required('DATABRICKS_CLIENT_SECRET', 'an OAuth secret of the service principal (oauth-m2m)'),
      };
    case 'azure-client-secret':
      return {
        type,
        tenantId: r.required('ARM_TENANT_ID', 'the Entra tenant id (azure-client-secret)'),
        clientId: r.required('ARM_CLIENT_ID', 'the Entra application id (azure-client-secret)'),
        clientSecret: r.required('ARM_CLIENT_SECRET', 'an Entra client secret (azure-client-secret)'),
      };
    case 'azure-msi': {
      const clientId = r.raw('ARM_CLIENT_ID');
      return clientId ? { type, clientId } : { type };
    }
  }
}

/** When the type was inferred and nothing was set, the missing problem is already reported once. */
function requiredUnlessReported(r: EnvReader, name: string, explicit: string | undefined, expected: string): string {
  if (explicit === undefined && !r.has(name)) return '';
  return r.required(name, expected);
}

function readStorage(r: EnvReader): StorageConfig | undefined {
  const connectionString = r.raw('AzureWebJobsStorage');
  if (connectionString !== undefined) {
    const ok = /^UseDevelopmentStorage=true/i.test(connectionString) || /AccountName=|BlobEndpoint=|QueueEndpoint=/i.test(connectionString);
    if (!ok) r.invalid('AzureWebJobsStorage', 'a storage connection string, or UseDevelopmentStorage=true for Azurite');
    return { kind: 'connectionString', connectionString };
  }
  const account = r.raw('AzureWebJobsStorage__accountName');
  const tableServiceUri = r.raw('AzureWebJobsStorage__tableServiceUri') ?? (account && `https://${account}.table.core.windows.net`);
  const queueServiceUri = r.raw('AzureWebJobsStorage__queueServiceUri') ?? (account && `https://${account}.queue.core.windows.net`);
  if (!tableServiceUri && !queueServiceUri) return undefined;
  if (!tableServiceUri) r.missing('AzureWebJobsStorage__tableServiceUri', 'the table endpoint, or AzureWebJobsStorage__accountName');
  if (!queueServiceUri) r.missing('AzureWebJobsStorage__queueServiceUri', 'the queue endpoint, or AzureWebJobsStorage__accountName');
  const clientId = r.raw('AzureWebJobsStorage__clientId');
  return { kind: 'identity', tableServiceUri: tableServiceUri ?? '', queueServiceUri: queueServiceUri ?? '', ...(clientId ? { clientId } : {}) };
}

function readBot(r: EnvReader): AppConfig['bot'] {
  const appId = r.raw('MicrosoftAppId');
  const appType = r.choice('MicrosoftAppType', ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'] as const, 'SingleTenant');
  const openIdMetadataUrl = r.raw('ToBotFromChannelOpenIdMetadataUrl');
  if (openIdMetadataUrl !== undefined) {
    const url = URL.canParse(openIdMetadataUrl) ? new URL(openIdMetadataUrl) : undefined;
    if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)))) {
      r.invalid('ToBotFromChannelOpenIdMetadataUrl', 'an https URL (http only for 127.0.0.1 or localhost)');
    }
    // In Azure, tokens are checked against Bot Framework's own keys: a different key server would let its owner sign tokens.
    if (r.has('WEBSITE_SITE_NAME')) r.invalid('ToBotFromChannelOpenIdMetadataUrl', 'unset in Azure (it is for local key servers in tests only)');
  }
  const sampleQuestions = (r.raw('SAMPLE_QUESTIONS') ?? '')
    .split(';')
    .map((q) => q.trim())
    .filter(Boolean);
  if (appId === undefined) {
    if (r.has('WEBSITE_SITE_NAME')) {
      r.missing('MicrosoftAppId', 'the bot app id: required in Azure, where the webhook must check Bot Framework tokens');
    }
    return { appType, authEnabled: false, sampleQuestions };
  }
  const appPassword = appType === 'UserAssignedMSI' ? undefined : r.required('MicrosoftAppPassword', `the bot client secret (${appType})`);
  const tenantId = appType === 'MultiTenant' ? r.raw('MicrosoftAppTenantId') : r.required('MicrosoftAppTenantId', `the bot tenant id (${appType})`);
  return {
    appId,
    appType,
    authEnabled: true,
    sampleQuestions,
    ...(openIdMetadataUrl ? { openIdMetadataUrl } : {}),
    ...(appPassword ? { appPassword } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}

function readEntraAuth(r: EnvReader): AppConfig['telemetry']['entraAuth'] {
  const value = r.raw('APPLICATIONINSIGHTS_AUTHENTICATION_STRING');
  if (value === undefined) return undefined;
  const parts = new Map(
    value
      .split(';')
      .map((p) => p.split('=').map((s) => s.trim()))
      .map(([k, v]) => [(k ?? '').toLowerCase(), v ?? ''] as const),
  );
  if (parts.get('authorization')?.toUpperCase() !== 'AAD') {
    r.invalid('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'Authorization=AAD, optionally ;ClientId=<managed identity client id>');
    return undefined;
  }
  const clientId = parts.get('clientid');
  return clientId ? { clientId } : {};
}

const ENTRA_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A comma-separated list of Entra object ids, lower-cased; undefined when the setting is absent. */
function readIdList(r: EnvReader, name: string, what: string): string[] | undefined {
  const value = r.raw(name);
  if (value === undefined) return undefined;
  const ids = value.split(',').map((id) => id.trim().toLowerCase()).filter(Boolean);
  if (!ids.length || !ids.every((id) => ENTRA_ID.test(id))) r.invalid(name, `comma-separated ${what} (GUIDs)`);
  return ids;
}

function readPolicy(r: EnvReader, bot: AppConfig['bot']): PolicySettings {
  const explicitTenants = readIdList(r, 'ALLOWED_TENANT_IDS', 'Entra tenant ids');
  const inAzure = r.has('WEBSITE_SITE_NAME');
  if (!explicitTenants && inAzure && bot.appType === 'MultiTenant' && bot.authEnabled) {
    r.missing('ALLOWED_TENANT_IDS', 'the tenants this MultiTenant bot serves: required in Azure, or anyone in any tenant could ask');
  }
  const allowedTenantIds = explicitTenants ?? (bot.tenantId ? [bot.tenantId.toLowerCase()] : undefined);
  const allowedChannels = (r.raw('ALLOWED_CHANNELS') ?? 'msteams').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
  if (!allowedChannels.length || !allowedChannels.every((c) => /^[a-z][a-z0-9-]{1,40}$/.test(c))) {
    r.invalid('ALLOWED_CHANNELS', 'comma-separated Bot Framework channel ids, e.g. msteams or msteams,webchat');
  }
  const allowedUserIds = readIdList(r, 'ALLOWED_USER_IDS', 'Entra user object ids');
  const allowedGroupIds = readIdList(r, 'ALLOWED_GROUP_IDS', 'Entra group object ids');
  if (allowedGroupIds && allowedGroupIds.length > MAX_ALLOWED_GROUPS) {
    r.invalid('ALLOWED_GROUP_IDS', `at most ${MAX_ALLOWED_GROUPS} groups (one Microsoft Graph checkMemberGroups call); nest groups for more`);
  }
  return {
    ...(allowedTenantIds ? { allowedTenantIds } : {}),
    allowedChannels,
    ...(allowedUserIds ? { allowedUserIds } : {}),
    ...(allowedGroupIds ? { allowedGroupIds } : {}),
    userQuestionsPerMinute: r.number('USER_QUESTIONS_PER_MINUTE', 10, { min: 1, max: 100_000, integer: true }),
  };
}

/** Reads every setting from `env` and reports all problems at once. Pure: tests pass their own env. */
export function loadConfig(env: Env): ConfigResult {
  const r = new EnvReader(env);
  const host = readDatabricksHost(r);
  const spaceId = r.required('GENIE_SPACE_ID', 'the Genie space id from the space URL (…/genie/rooms/<id>)');
  if (spaceId && !/^[\w-]{8,128}$/.test(spaceId)) r.invalid('GENIE_SPACE_ID', 'the id alone (letters, digits), not the whole URL');
  const auth = readDatabricksAuth(r);
  const bot = readBot(r);
  const policy = readPolicy(r, bot);
  const storage = readStorage(r);

  const store = r.choice('STATE_STORE', ['memory', 'table'] as const, storage ? 'table' : 'memory');
  const dispatch = r.choice('ANSWER_DISPATCH', ['queue', 'inline'] as const, 'queue');
  if (!storage && (store === 'table' || dispatch === 'queue')) {
    r.missing('AzureWebJobsStorage', `a storage connection: needed by ${store === 'table' ? 'STATE_STORE=table' : 'ANSWER_DISPATCH=queue'}`);
  }
  if (store === 'memory' && dispatch === 'queue' && storage) {
    r.invalid('STATE_STORE', 'table with ANSWER_DISPATCH=queue: the answer worker may run on another instance than the webhook');
  }
  const tablePrefix = r.raw('STATE_TABLE_PREFIX') ?? 'genie';
  if (!/^[A-Za-z][A-Za-z0-9]{0,50}$/.test(tablePrefix)) r.invalid('STATE_TABLE_PREFIX', 'letters and digits, starting with a letter');

  const locale = r.raw('CARD_LOCALE') ?? 'en-US';
  if (!Intl.NumberFormat.supportedLocalesOf([locale]).length) r.invalid('CARD_LOCALE', 'a BCP 47 locale such as en-US or de-DE');

  const connectionString = r.raw('APPLICATIONINSIGHTS_CONNECTION_STRING');
  if (connectionString !== undefined && !/InstrumentationKey=/i.test(connectionString)) {
    r.invalid('APPLICATIONINSIGHTS_CONNECTION_STRING', 'the connection string from the Application Insights overview (InstrumentationKey=…)');
  }
  const entraAuth = readEntraAuth(r);
  const hashSalt = r.raw('LOG_HASH_SALT');

  const config: AppConfig = {
    databricks: { host, spaceId, auth },
    genie: {
      // Capped under host.json's 30 min functionTimeout, so the worker itself tells the user it gave up.
      answerTimeoutMs: r.number('GENIE_ANSWER_TIMEOUT_SECONDS', 600, { min: 10, max: 1500, integer: true }) * 1000,
      deleteExpiredConversations: r.boolean('GENIE_DELETE_EXPIRED_CONVERSATIONS', true),
    },
    bot,
    ...(storage ? { storage } : {}),
    policy,
    state: {
      store,
      tablePrefix,
      sessionIdleMs: r.number('SESSION_IDLE_MINUTES', 240, { min: 1, max: 60 * 24 * 30, integer: true }) * 60_000,
      memoryMaxEntries: r.number('SESSION_MEMORY_MAX_ENTRIES', 10_000, { min: 10, max: 1_000_000, integer: true }),
    },
    answers: {
      dispatch,
      statusMessageDelayMs: r.number('STATUS_MESSAGE_DELAY_SECONDS', 4, { min: 0, max: 600 }) * 1000,
    },
    cards: {
      maxBytes: r.number('CARD_MAX_BYTES', 28 * 1024, { min: 4 * 1024, max: 80 * 1024, integer: true }),
      maxRows: r.number('CARD_MAX_ROWS', 25, { min: 1, max: 500, integer: true }),
      maxColumns: r.number('CARD_MAX_COLUMNS', 12, { min: 1, max: 50, integer: true }),
      locale,
      linkOrigin: host,
    },
    http: {
      connectTimeoutMs: r.number('HTTP_CONNECT_TIMEOUT_MS', 5_000, { min: 100, max: 120_000, integer: true }),
      readTimeoutMs: r.number('HTTP_READ_TIMEOUT_MS', 10_000, { min: 100, max: 600_000, integer: true }),
      totalTimeoutMs: r.number('HTTP_TOTAL_TIMEOUT_MS', 30_000, { min: 100, max: 600_000, integer: true }),
      maxSockets: r.number('HTTP_MAX_SOCKETS', 100, { min: 1, max: 1_000, integer: true }),
      maxSocketsPerHost: r.number('HTTP_MAX_SOCKETS_PER_HOST', 30, { min: 1, max: 1_000, integer: true }),
      freeSocketTimeoutMs: r.number('HTTP_FREE_SOCKET_TIMEOUT_MS', 30_000, { min: 1_000, max: 230_000, integer: true }),
    },
    telemetry: {
      ...(connectionString ? { connectionString } : {}),
      ...(entraAuth ? { entraAuth } : {}),
      samplingRatio: r.number('TELEMETRY_SAMPLING_RATIO', 1, { min: 0, max: 1 }),
      statsLogIntervalMs: r.number('STATS_LOG_INTERVAL_SECONDS', 60, { min: 1, max: 86_400 }) * 1000,
      statsLogSampleRate: r.number('STATS_LOG_SAMPLE_RATE', 0.01, { min: 0, max: 1 }),
      logLevel: r.choice('LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
      logQuestionText: r.boolean('LOG_QUESTION_TEXT', false),
      ...(hashSalt ? { hashSalt } : {}),
    },
  };
  return r.problems.length ? { ok: false, problems: r.problems } : { ok: true, config: Object.freeze(deepFreeze(config)) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

let cached: ConfigResult | undefined;

/** The process configuration, read from `process.env` once. */
export function readConfig(): ConfigResult {
  cached ??= loadConfig(process.env);
  return cached;
}

/** The process configuration; throws a {@link ConfigError} naming every problem when incomplete. */
export function getConfig(): AppConfig {
  const result = readConfig();
  if (!result.ok) throw new ConfigError(result.problems);
  return result.config;
}

/** Forgets the cached configuration: the dev host calls it after filling in local settings. */
export function reloadConfig(): ConfigResult {
  cached = undefined;
  return readConfig();
}
