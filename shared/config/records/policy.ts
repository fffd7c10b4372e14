import { list, number } from './kinds';

const ENTRA_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Microsoft Graph checks at most this many groups per checkMemberGroups call. */
export const MAX_ALLOWED_GROUPS = 20;

/** Who may ask and how often (shared/policy): checked after authentication, before anything else. */
export const POLICY_SETTINGS = {
  allowedTenantIds: list({
    name: 'ALLOWED_TENANT_IDS',
    need: 'conditional',
    separator: ',',
    lowerCase: true,
    item: { pattern: ENTRA_ID, what: 'Entra tenant ids (GUIDs)' },
    defaultNote: 'MicrosoftAppTenantId',
    doc: 'Entra tenants served; others get 403. Required with MicrosoftAppType=MultiTenant in Azure. With neither set (local development) no tenant list applies.',
  }),
  allowedChannels: list({
    name: 'ALLOWED_CHANNELS',
    separator: ',',
    lowerCase: true,
    default: ['msteams'],
    item: { pattern: /^[a-z][a-z0-9-]{1,40}$/, what: 'Bot Framework channel ids (msteams, webchat, …)' },
    doc: 'Bot Framework channels served (webchat, directline, emulator only when listed); others get 403.',
  }),
  allowedUserIds: list({
    name: 'ALLOWED_USER_IDS',
    separator: ',',
    lowerCase: true,
    item: { pattern: ENTRA_ID, what: 'Entra user object ids (GUIDs)' },
    doc: 'Entra object ids of the people who may ask. With ALLOWED_GROUP_IDS, being in either list is enough.',
  }),
  allowedGroupIds: list({
    name: 'ALLOWED_GROUP_IDS',
    separator: ',',
    lowerCase: true,
    maxItems: MAX_ALLOWED_GROUPS,
    item: { pattern: ENTRA_ID, what: 'Entra group object ids (GUIDs)' },
    doc: 'Entra groups whose members may ask, checked with Microsoft Graph (GroupMember.Read.All and User.Read.All for the managed identity); nest groups for more.',
  }),
  userQuestionsPerMinute: number({
    name: 'USER_QUESTIONS_PER_MINUTE',
    default: 10,
    min: 1,
    max: 100_000,
    integer: true,
    doc: 'Questions one person may ask per minute, counted across all instances; above it they are told when to ask again.',
  }),
} as const;
