/**
 * Every setting the app reads, in one list: the README table, local.settings.json.example and
 * the infra consistency test are checked against it, so a new setting cannot go undocumented.
 */
export interface SettingInfo {
  readonly name: string;
  /** `required`: the app cannot answer without it; `conditional`: required in some setups (see description). */
  readonly need: 'required' | 'conditional' | 'optional';
  readonly description: string;
  /** The default as users would write it; absent when there is none. */
  readonly default?: string;
  /** Secret values are never echoed in errors, logs or health output. */
  readonly secret?: boolean;
}

export const SETTINGS: readonly SettingInfo[] = [
  // Databricks and Genie
  { name: 'DATABRICKS_HOST', need: 'required', description: 'Workspace URL, https (plain http only for loopback emulators).' },
  { name: 'GENIE_SPACE_ID', need: 'required', description: 'The Genie space to ask: the id in the space URL (…/genie/rooms/<id>).' },
  {
    name: 'DATABRICKS_AUTH_TYPE',
    need: 'optional',
    description: 'pat | oauth-m2m | azure-client-secret | azure-msi. Inferred from the credentials set when absent.',
  },
  { name: 'DATABRICKS_TOKEN', need: 'conditional', secret: true, description: 'Personal access token (auth type pat).' },
  { name: 'DATABRICKS_CLIENT_ID', need: 'conditional', description: 'Databricks service principal client id (oauth-m2m).' },
  {
    name: 'DATABRICKS_CLIENT_SECRET',
    need: 'conditional',
    secret: true,
    description: 'Databricks service principal OAuth secret (oauth-m2m).',
  },
  {
    name: 'ARM_CLIENT_ID',
    need: 'conditional',
    description: 'Entra application id (azure-client-secret), or the user-assigned managed identity client id (azure-msi).',
  },
  { name: 'ARM_TENANT_ID', need: 'conditional', description: 'Entra tenant id (azure-client-secret).' },
  { name: 'ARM_CLIENT_SECRET', need: 'conditional', secret: true, description: 'Entra client secret (azure-client-secret).' },
  { name: 'ARM_USE_MSI', need: 'optional', default: 'false', description: 'true selects azure-msi when DATABRICKS_AUTH_TYPE is absent.' },
  {
    name: 'GENIE_ANSWER_TIMEOUT_SECONDS',
    need: 'optional',
    default: '600',
    description: 'How long to wait for one Genie answer before telling the user it timed out (at most 1500).',
  },
  {
    name: 'GENIE_DELETE_EXPIRED_CONVERSATIONS',
    need: 'optional',
    default: 'true',
    description: 'The sweep deletes the Genie conversations of expired sessions (a space holds at most 10,000).',
  },
  // Bot Framework
  {
    name: 'MicrosoftAppId',
    need: 'conditional',
    description: 'Bot app (client) id. When set, every webhook request must carry a valid Bot Framework token. Required in Azure.',
  },
  { name: 'MicrosoftAppPassword', need: 'conditional', secret: true, description: 'Bot client secret (SingleTenant, MultiTenant).' },
  { name: 'MicrosoftAppType', need: 'optional', default: 'SingleTenant', description: 'SingleTenant | UserAssignedMSI | MultiTenant.' },
  { name: 'MicrosoftAppTenantId', need: 'conditional', description: 'Tenant of the bot app (SingleTenant, UserAssignedMSI).' },
  {
    name: 'ToBotFromChannelOpenIdMetadataUrl',
    need: 'optional',
    default: 'Bot Framework public cloud',
    description: 'OpenID metadata the webhook checks token signatures against (botbuilder setting; local key servers in tests). Refused in Azure.',
  },
  {
    name: 'SAMPLE_QUESTIONS',
    need: 'optional',
    description: 'Example questions for help and the welcome message, separated by ";".',
  },
  // Who may ask (shared/policy)
  {
    name: 'ALLOWED_TENANT_IDS',
    need: 'conditional',
    default: 'MicrosoftAppTenantId',
    description:
      'Comma-separated Entra tenant ids served; others get 403. Required with MicrosoftAppType=MultiTenant in Azure. With neither set (local development) no tenant list applies.',
  },
  {
    name: 'ALLOWED_CHANNELS',
    need: 'optional',
    default: 'msteams',
    description: 'Comma-separated Bot Framework channels served (webchat, directline, emulator only when listed); others get 403.',
  },
  {
    name: 'ALLOWED_USER_IDS',
    need: 'optional',
    description: 'Comma-separated Entra object ids of the people who may ask. With ALLOWED_GROUP_IDS, being in either list is enough.',
  },
  {
    name: 'ALLOWED_GROUP_IDS',
    need: 'optional',
    description:
      'Comma-separated Entra group ids (at most 20) whose members may ask, checked with Microsoft Graph (GroupMember.Read.All and User.Read.All for the managed identity).',
  },
  {
    name: 'USER_QUESTIONS_PER_MINUTE',
    need: 'optional',
    default: '10',
    description: 'Questions one person may ask per minute, counted across all instances; above it they are told when to ask again.',
  },
  // State and hand-off
  {
    name: 'AzureWebJobsStorage',
    need: 'conditional',
    secret: true,
    description:
      'Storage connection string (UseDevelopmentStorage=true for Azurite). Identity-based: AzureWebJobsStorage__accountName or __tableServiceUri/__queueServiceUri, with __credential=managedidentity and __clientId.',
  },
  {
    name: 'STATE_STORE',
    need: 'optional',
    default: 'table when storage is configured, else memory',
    description: 'memory (one local process only) | table (Azure Table Storage, any number of instances).',
  },
  { name: 'STATE_TABLE_PREFIX', need: 'optional', default: 'genie', description: 'Prefix of the state tables (sessions, dedup, jobs).' },
  {
    name: 'SESSION_IDLE_MINUTES',
    need: 'optional',
    default: '240',
    description: 'A chat idle this long starts a new Genie conversation.',
  },
  {
    name: 'SESSION_MEMORY_MAX_ENTRIES',
    need: 'optional',
    default: '10000',
    description: 'Hard cap on records per kind in the memory store (least recently used dropped first).',
  },
  {
    name: 'ANSWER_DISPATCH',
    need: 'optional',
    default: 'queue (inline under npm run dev)',
    description: 'queue: the webhook enqueues and the answer function replies; inline: the same worker runs in-process.',
  },
  {
    name: 'STATUS_MESSAGE_DELAY_SECONDS',
    need: 'optional',
    default: '4',
    description: 'After this long without an answer, post one status line that the answer later replaces (0 turns it off).',
  },
  // Cards
  { name: 'CARD_MAX_BYTES', need: 'optional', default: '28672', description: 'Budget for one message, in bytes of UTF-8 JSON.' },
  { name: 'CARD_MAX_ROWS', need: 'optional', default: '25', description: 'Most table rows shown in an answer card.' },
  { name: 'CARD_MAX_COLUMNS', need: 'optional', default: '12', description: 'Most table columns shown in an answer card.' },
  { name: 'CARD_LOCALE', need: 'optional', default: 'en-US', description: 'Locale for numbers and dates in cards (BCP 47).' },
  // HTTP client
  { name: 'HTTP_CONNECT_TIMEOUT_MS', need: 'optional', default: '5000', description: 'TCP connect plus TLS handshake.' },
  { name: 'HTTP_READ_TIMEOUT_MS', need: 'optional', default: '10000', description: 'Longest silence while waiting for response bytes.' },
  { name: 'HTTP_TOTAL_TIMEOUT_MS', need: 'optional', default: '30000', description: 'Whole request, first byte sent to last byte read.' },
  { name: 'HTTP_MAX_SOCKETS', need: 'optional', default: '100', description: 'Sockets in the shared pool, all hosts.' },
  { name: 'HTTP_MAX_SOCKETS_PER_HOST', need: 'optional', default: '30', description: 'Sockets in the shared pool per host.' },
  {
    name: 'HTTP_FREE_SOCKET_TIMEOUT_MS',
    need: 'optional',
    default: '30000',
    description: 'Idle pooled sockets are closed after this long (Azure drops idle flows at 240 s).',
  },
  // Telemetry and logs
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    need: 'optional',
    description: 'Turns on Application Insights (OpenTelemetry). Off when absent.',
  },
  {
    name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    need: 'optional',
    description: 'Authorization=AAD[;ClientId=<user-assigned identity>] for Application Insights with local auth disabled.',
  },
  {
    name: 'TELEMETRY_SAMPLING_RATIO',
    need: 'optional',
    default: '1',
    description: 'Share of traces sent to Application Insights (0..1). Metrics are never sampled.',
  },
  { name: 'STATS_LOG_INTERVAL_SECONDS', need: 'optional', default: '60', description: 'At most one stats summary per this many seconds.' },
  { name: 'STATS_LOG_SAMPLE_RATE', need: 'optional', default: '0.01', description: 'Chance of an extra stats summary per question.' },
  { name: 'LOG_LEVEL', need: 'optional', default: 'info', description: 'debug | info | warn | error.' },
  {
    name: 'LOG_QUESTION_TEXT',
    need: 'optional',
    default: 'false',
    description: 'true puts question text in logs (debugging only; off keeps user text out of logs and telemetry).',
  },
  {
    name: 'LOG_HASH_SALT',
    need: 'optional',
    secret: true,
    default: 'random per process',
    description: 'Salt for the user hashes in logs; set it to correlate one user across instances.',
  },
  // Runtime facts read, never set by users
  { name: 'WEBSITE_INSTANCE_ID', need: 'optional', description: 'Set by Azure: this instance id in health and metrics.' },
  { name: 'WEBSITE_SITE_NAME', need: 'optional', description: 'Set by Azure: tells the app it runs in Azure (MicrosoftAppId then required).' },
  { name: 'PORT', need: 'optional', default: '7071', description: 'Port of the local dev host (npm run dev).' },
];

export function findSetting(name: string): SettingInfo | undefined {
  return SETTINGS.find((s) => s.name === name);
}
