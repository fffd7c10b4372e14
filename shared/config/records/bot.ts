// Not the i18n entry: configuration loads with every function, the catalogs only when a message is written.
import { LOCALES } from '../../i18n/locales';
import { choice, list, secret, text, url } from './kinds';

export const BOT_SETTINGS = {
  appId: text({
    name: 'MicrosoftAppId',
    need: 'conditional',
    doc: 'Bot app (client) id. When set, every webhook request must carry a valid Bot Framework token. Required in Azure.',
    expected: 'the bot app (client) id',
  }),
  appPassword: secret({
    name: 'MicrosoftAppPassword',
    need: 'conditional',
    doc: 'Bot client secret (SingleTenant, MultiTenant).',
    expected: 'the bot client secret',
  }),
  appType: choice({
    name: 'MicrosoftAppType',
    choices: ['SingleTenant', 'MultiTenant', 'UserAssignedMSI'],
    default: 'SingleTenant',
    doc: 'Kind of bot identity.',
  }),
  tenantId: text({
    name: 'MicrosoftAppTenantId',
    need: 'conditional',
    doc: 'Tenant of the bot app (SingleTenant, UserAssignedMSI).',
    expected: 'the bot tenant id',
  }),
  openIdMetadataUrl: url({
    name: 'ToBotFromChannelOpenIdMetadataUrl',
    defaultNote: 'Bot Framework public cloud',
    doc: 'OpenID metadata the webhook checks token signatures against (botbuilder setting; local key servers in tests). Refused in Azure.',
    expected: 'an https URL (http only for 127.0.0.1 or localhost)',
  }),
  oauthUrl: url({
    name: 'OAuthUrl',
    defaultNote: 'Bot Framework token service',
    doc: "The Bot Framework token service that keeps signed-in users' tokens (botbuilder setting; the fake connector locally).",
    expected: 'an https URL (http only for 127.0.0.1 or localhost)',
  }),
  sampleQuestions: list({ name: 'SAMPLE_QUESTIONS', separator: ';', doc: 'Example questions for help and the welcome message.' }),
  defaultLocale: choice({
    name: 'DEFAULT_LOCALE',
    choices: LOCALES,
    default: 'en-US',
    doc: 'Language, numbers and dates for users whose Teams locale the bot does not speak.',
  }),
} as const;
