import { type Env, EnvReader } from './env-reader';
import {
  ANSWER_SETTINGS,
  BOT_SETTINGS,
  CARD_SETTINGS,
  DATABRICKS_SETTINGS,
  DEFAULT_SPACE_ALIAS,
  GENIE_SETTINGS,
  HTTP_SETTINGS,
  POLICY_SETTINGS,
  RUNTIME_SETTINGS,
  STATE_SETTINGS,
  TELEMETRY_SETTINGS,
} from './records';
import type { AppConfig, ConfigResult, DatabricksAuthConfig, PolicySettings, SpaceChoice, SpacePin, StorageConfig } from './types';

// Defaults and ranges live in the records (records/); this file holds only what ties settings together.

const DB = DATABRICKS_SETTINGS;
type AuthType = DatabricksAuthConfig['type'];

/** `optional`: GENIE_IDENTITY=user asks with each asker's token, so the app may have no Databricks credentials of its own. */
function readDatabricksAuth(r: EnvReader, optional: boolean): DatabricksAuthConfig | undefined {
  const explicit = r.get(DB.authType);
  let type = explicit;
  if (type === undefined) {
    // Same inference as the Databricks SDKs: whichever credentials are present, and only one kind.
    const inferred = [
      r.has(DB.token) ? 'pat' : undefined,
      r.has(DB.clientId) || r.has(DB.clientSecret) ? 'oauth-m2m' : undefined,
      r.has(DB.armClientSecret) ? 'azure-client-secret' : undefined,
      r.get(DB.armUseMsi) ? 'azure-msi' : undefined,
    ].filter((t): t is AuthType => t !== undefined);
    if (optional && inferred.length === 0) return undefined;
    if (inferred.length > 1) {
      r.invalid(DB.authType, `one auth type chosen explicitly: credentials for ${inferred.join(' and ')} are all set`);
    } else if (inferred.length === 0 && !r.has(DB.authType)) {
      r.missing(
        DB.token,
        'Databricks credentials: DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET, or ARM_CLIENT_ID + ARM_TENANT_ID + ARM_CLIENT_SECRET, or DATABRICKS_AUTH_TYPE=azure-msi',
      );
    }
    type = inferred[0] ?? 'pat';
  }
  switch (type) {
    case 'pat':
      // When the type was inferred and nothing was set, the missing credentials are already reported once.
      return { type, token: explicit === undefined && !r.has(DB.token) ? '' : r.required(DB.token, 'pat') };
    case 'oauth-m2m':
      return { type, clientId: r.required(DB.clientId, type), clientSecret: r.required(DB.clientSecret, type) };
    case 'azure-client-secret':
      return {
        type,
        tenantId: r.required(DB.armTenantId, type),
        clientId: r.required(DB.armClientId, type),
        clientSecret: r.required(DB.armClientSecret, type),
      };
    case 'azure-msi': {
      const clientId = r.get(DB.armClientId);
      return clientId ? { type, clientId } : { type };
    }
  }
}

function pairsOf(items: readonly string[]): [string, string][] {
  return items.map((item) => {
    const at = item.indexOf('=');
    return [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
}

/**
 * The spaces people may use, the default first: GENIE_SPACE_ID under the alias GENIE_SPACES gives
 * its id, else `default`. Aliases and ids are each listed once; `default` names GENIE_SPACE_ID only.
 */
function readSpaces(r: EnvReader, defaultSpaceId: string): { spaces: SpaceChoice[]; spacePins: SpacePin[] } {
  const listed = pairsOf(r.get(DB.spaces)).map(([alias, spaceId]) => ({ alias, spaceId }));
  const aliases = listed.map((s) => s.alias);
  const ids = listed.map((s) => s.spaceId);
  if (aliases.some((a, i) => aliases.indexOf(a) !== i)) r.invalid(DB.spaces, `${DB.spaces.expected}, each alias once`);
  else if (ids.some((id, i) => ids.indexOf(id) !== i)) r.invalid(DB.spaces, `${DB.spaces.expected}, each space id once`);
  else if (listed.some((s) => s.alias === DEFAULT_SPACE_ALIAS && s.spaceId !== defaultSpaceId)) {
    r.invalid(DB.spaces, `${DB.spaces.expected}; the alias "${DEFAULT_SPACE_ALIAS}" names GENIE_SPACE_ID only`);
  }
  const listedDefault = listed.find((s) => s.spaceId === defaultSpaceId);
  const spaces = [listedDefault ?? { alias: DEFAULT_SPACE_ALIAS, spaceId: defaultSpaceId }, ...listed.filter((s) => s !== listedDefault)];
  const spacePins = pairsOf(r.get(DB.spacePins)).map(([chatId, alias]) => ({ chatId, alias }));
  const unknown = spacePins.filter((pin) => !spaces.some((s) => s.alias === pin.alias)).map((pin) => pin.alias);
  if (unknown.length) r.invalid(DB.spacePins, `${DB.spacePins.expected}, each alias one of GENIE_SPACES (not: ${unknown.join(', ')})`);
  const chats = spacePins.map((pin) => pin.chatId);
  if (chats.some((c, i) => chats.indexOf(c) !== i)) r.invalid(DB.spacePins, `${DB.spacePins.expected}, each team or channel once`);
  return { spaces, spacePins };
}

const STORAGE = STATE_SETTINGS.storage;
/** Identity-based variants of AzureWebJobsStorage, documented under it. */
const IDENTITY_STORAGE = {
  accountName: `${STORAGE.name}__accountName`,
  tableServiceUri: `${STORAGE.name}__tableServiceUri`,
  queueServiceUri: `${STORAGE.name}__queueServiceUri`,
  clientId: `${STORAGE.name}__clientId`,
};

function readStorage(r: EnvReader): StorageConfig | undefined {
  const connectionString = r.get(STORAGE); // reports a malformed one, which then counts as configured
  if (r.has(STORAGE)) return { kind: 'connectionString', connectionString: connectionString ?? '' };
  const account = r.raw(IDENTITY_STORAGE.accountName);
  const tableServiceUri = r.raw(IDENTITY_STORAGE.tableServiceUri) ?? (account && `https://${account}.table.core.windows.net`);
  const queueServiceUri = r.raw(IDENTITY_STORAGE.queueServiceUri) ?? (account && `https://${account}.queue.core.windows.net`);
  if (!tableServiceUri && !queueServiceUri) return undefined;
  if (!tableServiceUri) r.missing(IDENTITY_STORAGE.tableServiceUri, `the table endpoint, or ${IDENTITY_STORAGE.accountName}`);
  if (!queueServiceUri) r.missing(IDENTITY_STORAGE.queueServiceUri, `the queue endpoint, or ${IDENTITY_STORAGE.accountName}`);
  const clientId = r.raw(IDENTITY_STORAGE.clientId);
  return {
    kind: 'identity',
    tableServiceUri: tableServiceUri ?? '',
    queueServiceUri: queueServiceUri ?? '',
    ...(clientId ? { clientId } : {}),
  };
}

function readBot(r: EnvReader): AppConfig['bot'] {
  const appId = r.get(BOT_SETTINGS.appId);
  const appType = r.get(BOT_SETTINGS.appType);
  const openIdMetadataUrl = r.get(BOT_SETTINGS.openIdMetadataUrl);
  const oauthUrl = r.get(BOT_SETTINGS.oauthUrl);
  const sampleQuestions = r.get(BOT_SETTINGS.sampleQuestions);
  const defaultLocale = r.get(BOT_SETTINGS.defaultLocale);
  // In Azure, tokens are checked against Bot Framework's own keys: a different key server would let its owner sign tokens.
  if (openIdMetadataUrl !== undefined && r.has(RUNTIME_SETTINGS.siteName))
    r.invalid(BOT_SETTINGS.openIdMetadataUrl, 'unset in Azure (it is for local key servers in tests only)');
  if (appId === undefined) {
    if (r.has(RUNTIME_SETTINGS.siteName))
      r.missing(BOT_SETTINGS.appId, `${BOT_SETTINGS.appId.expected}: required in Azure, where the webhook must check Bot Framework tokens`);
    return { appType, authEnabled: false, sampleQuestions, defaultLocale, ...(oauthUrl ? { oauthUrl } : {}) };
  }
  const appPassword = appType === 'UserAssignedMSI' ? undefined : r.required(BOT_SETTINGS.appPassword, appType);
  const tenantId = appType === 'MultiTenant' ? r.get(BOT_SETTINGS.tenantId) : r.required(BOT_SETTINGS.tenantId, appType);
  return {
    appId,
    appType,
    authEnabled: true,
    sampleQuestions,
    defaultLocale,
    ...(openIdMetadataUrl ? { openIdMetadataUrl } : {}),
    ...(oauthUrl ? { oauthUrl } : {}),
    ...(appPassword ? { appPassword } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}

function readPolicy(r: EnvReader, bot: AppConfig['bot']): PolicySettings {
  const p = POLICY_SETTINGS;
  const explicitTenants = r.has(p.allowedTenantIds) ? r.get(p.allowedTenantIds) : undefined;
  if (!explicitTenants && r.has(RUNTIME_SETTINGS.siteName) && bot.appType === 'MultiTenant' && bot.authEnabled) {
    r.missing(p.allowedTenantIds, 'the tenants this MultiTenant bot serves: required in Azure, or anyone in any tenant could ask');
  }
  const allowedTenantIds = explicitTenants ?? (bot.tenantId ? [bot.tenantId.toLowerCase()] : undefined);
  const allowedUserIds = r.has(p.allowedUserIds) ? r.get(p.allowedUserIds) : undefined;
  const allowedGroupIds = r.has(p.allowedGroupIds) ? r.get(p.allowedGroupIds) : undefined;
  return {
    ...(allowedTenantIds ? { allowedTenantIds } : {}),
    allowedChannels: r.get(p.allowedChannels),
    ...(allowedUserIds ? { allowedUserIds } : {}),
    ...(allowedGroupIds ? { allowedGroupIds } : {}),
    userQuestionsPerMinute: r.get(p.userQuestionsPerMinute),
  };
}

function readEntraAuth(r: EnvReader): AppConfig['telemetry']['entraAuth'] {
  const value = r.get(TELEMETRY_SETTINGS.authenticationString);
  if (value === undefined) return undefined;
  const parts = new Map(
    value
      .split(';')
      .map((p) => p.split('=').map((s) => s.trim()))
      .map(([k, v]) => [(k ?? '').toLowerCase(), v ?? ''] as const),
  );
  if (parts.get('authorization')?.toUpperCase() !== 'AAD') {
    r.invalid(TELEMETRY_SETTINGS.authenticationString);
    return undefined;
  }
  const clientId = parts.get('clientid');
  return clientId ? { clientId } : {};
}

function readState(r: EnvReader, storage: StorageConfig | undefined): Pick<AppConfig, 'state' | 'answers'> {
  const store = r.get(STATE_SETTINGS.store) ?? (storage ? 'table' : 'memory');
  const dispatch = r.get(ANSWER_SETTINGS.dispatch);
  if (!storage && (store === 'table' || dispatch === 'queue')) {
    const by = store === 'table' ? `${STATE_SETTINGS.store.name}=table` : `${ANSWER_SETTINGS.dispatch.name}=queue`;
    r.missing(STORAGE, `a storage connection: needed by ${by}`);
  }
  if (store === 'memory' && dispatch === 'queue' && storage) {
    r.invalid(STATE_SETTINGS.store, 'table with ANSWER_DISPATCH=queue: the answer worker may run on another instance than the webhook');
  }
  return {
    state: {
      store,
      tablePrefix: r.get(STATE_SETTINGS.tablePrefix),
      sessionIdleMs: r.get(STATE_SETTINGS.sessionIdleMinutes) * 60_000,
      memoryMaxEntries: r.get(STATE_SETTINGS.memoryMaxEntries),
    },
    answers: {
      dispatch,
      statusMessageDelayMs: r.get(ANSWER_SETTINGS.statusMessageDelaySeconds) * 1000,
      streamProgress: r.get(ANSWER_SETTINGS.streamProgress),
    },
  };
}

function readGenie(r: EnvReader): AppConfig['genie'] {
  const identity = r.get(GENIE_SETTINGS.identity);
  const oauthConnectionName =
    identity === 'user' ? r.required(GENIE_SETTINGS.oauthConnectionName, 'GENIE_IDENTITY=user') : r.get(GENIE_SETTINGS.oauthConnectionName);
  const adminContact = r.get(GENIE_SETTINGS.adminContact);
  return {
    answerTimeoutMs: r.get(GENIE_SETTINGS.answerTimeoutSeconds) * 1000,
    questionsPerMinute: r.get(GENIE_SETTINGS.questionsPerMinute),
    deleteExpiredConversations: r.get(GENIE_SETTINGS.deleteExpiredConversations),
    identity,
    userAnswersInSharedChats: r.get(GENIE_SETTINGS.userAnswersInSharedChats),
    ...(oauthConnectionName ? { oauthConnectionName } : {}),
    ...(adminContact ? { adminContact } : {}),
  };
}

/** Reads every setting from `env` and reports all problems at once. Pure: tests pass their own env. */
export function loadConfig(env: Env): ConfigResult {
  const r = new EnvReader(env);
  const genie = readGenie(r);
  const auth = readDatabricksAuth(r, genie.identity === 'user');
  const spaceId = r.required(DB.spaceId);
  const databricks = { host: r.required(DB.host), spaceId, ...readSpaces(r, spaceId), ...(auth ? { auth } : {}) };
  const bot = readBot(r);
  const storage = readStorage(r);
  const { state, answers } = readState(r, storage);
  const connectionString = r.get(TELEMETRY_SETTINGS.connectionString);
  const entraAuth = readEntraAuth(r);
  const hashSalt = r.get(TELEMETRY_SETTINGS.hashSalt);

  const config: AppConfig = {
    databricks,
    genie,
    bot,
    ...(storage ? { storage } : {}),
    policy: readPolicy(r, bot),
    state,
    answers,
    cards: {
      maxBytes: r.get(CARD_SETTINGS.maxBytes),
      maxRows: r.get(CARD_SETTINGS.maxRows),
      maxColumns: r.get(CARD_SETTINGS.maxColumns),
      linkOrigin: databricks.host,
    },
    http: {
      connectTimeoutMs: r.get(HTTP_SETTINGS.connectTimeoutMs),
      readTimeoutMs: r.get(HTTP_SETTINGS.readTimeoutMs),
      totalTimeoutMs: r.get(HTTP_SETTINGS.totalTimeoutMs),
      maxSockets: r.get(HTTP_SETTINGS.maxSockets),
      maxSocketsPerHost: r.get(HTTP_SETTINGS.maxSocketsPerHost),
      freeSocketTimeoutMs: r.get(HTTP_SETTINGS.freeSocketTimeoutMs),
    },
    telemetry: {
      ...(connectionString ? { connectionString } : {}),
      ...(entraAuth ? { entraAuth } : {}),
      samplingRatio: r.get(TELEMETRY_SETTINGS.samplingRatio),
      statsLogIntervalMs: r.get(TELEMETRY_SETTINGS.statsLogIntervalSeconds) * 1000,
      statsLogSampleRate: r.get(TELEMETRY_SETTINGS.statsLogSampleRate),
      logLevel: r.get(TELEMETRY_SETTINGS.logLevel),
      logQuestionText: r.get(TELEMETRY_SETTINGS.logQuestionText),
      ...(hashSalt ? { hashSalt } : {}),
    },
  };
  return r.problems.length ? { ok: false, problems: r.problems } : { ok: true, config: deepFreeze(config) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
