import { HOST_SETTINGS } from '../host';
import { boolean, choice, list, number, secret, text, url } from './kinds';

/** What a Genie space id looks like (the id in the space URL). */
export const SPACE_ID_PATTERN = /^[\w-]{8,128}$/;
/** A space alias: a lower-case word people type after `use`. */
export const SPACE_ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
/** The alias GENIE_SPACE_ID is offered under when GENIE_SPACES does not list its id. */
export const DEFAULT_SPACE_ALIAS = 'default';

const alias = SPACE_ALIAS_PATTERN.source.slice(1, -1);

export const DATABRICKS_SETTINGS = {
  host: url({
    name: 'DATABRICKS_HOST',
    need: 'required',
    origin: true,
    doc: 'Workspace URL (a path after the host is ignored).',
    expected:
      'the workspace URL over https, e.g. https://adb-1234567890123456.7.azuredatabricks.net (plain http only for 127.0.0.1 or localhost)',
  }),
  spaceId: text({
    name: 'GENIE_SPACE_ID',
    need: 'required',
    doc: 'The Genie space to ask: the id in the space URL (…/genie/rooms/<id>).',
    expected: 'the space id alone (letters, digits) from the space URL …/genie/rooms/<id>, not the whole URL',
    check: (v) => SPACE_ID_PATTERN.test(v),
  }),
  spaces: list({
    name: 'GENIE_SPACES',
    separator: ';',
    item: {
      pattern: new RegExp(`^${alias}\\s*=\\s*${SPACE_ID_PATTERN.source.slice(1, -1)}$`),
      what: 'alias=space_id pairs (aliases lower-case words)',
    },
    doc: `Further spaces people may switch to with \`use <alias>\`, as alias=space_id (e.g. \`sales=01ef…;ops=01f0…\`); titles and descriptions come from Genie. GENIE_SPACE_ID stays the default space, offered as alias \`${DEFAULT_SPACE_ALIAS}\` unless listed here under another alias.`,
  }),
  spacePins: list({
    name: 'GENIE_SPACE_PINS',
    separator: ';',
    item: { pattern: new RegExp(`^[^=\\s]+\\s*=\\s*${alias}$`), what: 'team or channel id=alias pairs' },
    doc: 'Teams or channels that always use one space (they cannot switch), as `<team or channel id>=alias` (the `19:…@thread.tacv2` id from the team or channel link); every alias must be one of GENIE_SPACES (or `default`).',
  }),
  authType: choice({
    name: 'DATABRICKS_AUTH_TYPE',
    choices: ['pat', 'oauth-m2m', 'azure-client-secret', 'azure-msi'],
    defaultNote: 'inferred from the credentials set',
    doc: 'How the app authenticates to Databricks (see below).',
  }),
  token: secret({
    name: 'DATABRICKS_TOKEN',
    need: 'conditional',
    doc: 'Personal access token (auth type pat).',
    expected: 'a Databricks personal access token (dapi…)',
  }),
  clientId: text({
    name: 'DATABRICKS_CLIENT_ID',
    need: 'conditional',
    doc: 'Databricks service principal client id (oauth-m2m).',
    expected: 'the service principal application id',
  }),
  clientSecret: secret({
    name: 'DATABRICKS_CLIENT_SECRET',
    need: 'conditional',
    doc: 'Databricks service principal OAuth secret (oauth-m2m).',
    expected: 'an OAuth secret of the service principal',
  }),
  armClientId: text({
    name: 'ARM_CLIENT_ID',
    need: 'conditional',
    doc: 'Entra application id (azure-client-secret), or the user-assigned managed identity client id (azure-msi).',
    expected: 'the Entra application id',
  }),
  armTenantId: text({
    name: 'ARM_TENANT_ID',
    need: 'conditional',
    doc: 'Entra tenant id (azure-client-secret).',
    expected: 'the Entra tenant id',
  }),
  armClientSecret: secret({
    name: 'ARM_CLIENT_SECRET',
    need: 'conditional',
    doc: 'Entra client secret (azure-client-secret).',
    expected: 'an Entra client secret',
  }),
  armUseMsi: boolean({ name: 'ARM_USE_MSI', default: false, doc: 'true selects azure-msi when DATABRICKS_AUTH_TYPE is absent.' }),
} as const;

export const GENIE_SETTINGS = {
  // The maximum stays 5 minutes under host.json's functionTimeout, so the worker itself tells the user it gave up.
  answerTimeoutSeconds: number({
    name: 'GENIE_ANSWER_TIMEOUT_SECONDS',
    default: 600,
    min: 10,
    max: HOST_SETTINGS.functionTimeoutMs / 1000 - 300,
    integer: true,
    doc: 'How long to wait for one Genie answer before telling the user it timed out.',
  }),
  questionsPerMinute: number({
    name: 'GENIE_QUESTIONS_PER_MINUTE',
    default: 5,
    min: 1,
    max: 60_000,
    integer: true,
    doc: "Questions sent to Genie per minute, across all instances (the workspace's limit; 5 is Databricks' documented best effort). A 429 from Genie slows the pace further for a while.",
  }),
  deleteExpiredConversations: boolean({
    name: 'GENIE_DELETE_EXPIRED_CONVERSATIONS',
    default: true,
    doc: 'The sweep deletes the Genie conversations of expired sessions (a space holds at most 10,000).',
  }),
  identity: choice({
    name: 'GENIE_IDENTITY',
    choices: ['service', 'user'],
    default: 'service',
    doc: "Whose rights Genie answers with: the app's Databricks credentials (service), or the asker's own through Teams sign-in (user: the app's own credentials become optional; see docs/deploy.md, per-user mode).",
  }),
  oauthConnectionName: text({
    name: 'OAUTH_CONNECTION_NAME',
    need: 'conditional',
    doc: "The Azure Bot's OAuth connection that gives the asker's Azure Databricks token (GENIE_IDENTITY=user).",
    expected: 'the name of the OAuth connection setting on the Azure Bot resource',
  }),
  userAnswersInSharedChats: choice({
    name: 'USER_ANSWERS_IN_SHARED_CHATS',
    choices: ['personal-chat-only', 'thread'],
    default: 'personal-chat-only',
    doc: "GENIE_IDENTITY=user in group chats and channels: refuse and point to a personal chat (an answer computed with one person's rights is not shown to others), or post it in the thread.",
  }),
  adminContact: text({
    name: 'ADMIN_CONTACT',
    doc: 'Who people ask for access to the space or its data (a name or address), named when Databricks refuses them.',
    expected: 'a name, team or address',
  }),
} as const;
