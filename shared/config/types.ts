import type { ConfigProblem } from './env-reader';
import type { ANSWER_SETTINGS, BOT_SETTINGS, GENIE_SETTINGS, STATE_SETTINGS, TELEMETRY_SETTINGS } from './records';

// Defaults, ranges and meanings of these fields are in the setting records (records/).

export type DatabricksAuthConfig =
  | { readonly type: 'pat'; readonly token: string }
  | { readonly type: 'oauth-m2m'; readonly clientId: string; readonly clientSecret: string }
  | { readonly type: 'azure-client-secret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly type: 'azure-msi'; readonly clientId?: string };

/** A space this deployment offers, under the alias people type after `use`. */
export interface SpaceChoice {
  readonly alias: string;
  readonly spaceId: string;
}

/** A team (channelData.team.id) or channel (channelData.channel.id) pinned to one space. */
export interface SpacePin {
  readonly chatId: string;
  readonly alias: string;
}

export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly tableServiceUri: string; readonly queueServiceUri: string; readonly clientId?: string };

type ChoiceOf<S extends { readonly choices: readonly string[] }> = S['choices'][number];

export type BotAppType = ChoiceOf<typeof BOT_SETTINGS.appType>;
export type GenieIdentity = ChoiceOf<typeof GENIE_SETTINGS.identity>;
export type LogLevel = ChoiceOf<typeof TELEMETRY_SETTINGS.logLevel>;

export interface HttpClientSettings {
  /** TCP connect plus TLS handshake. */
  readonly connectTimeoutMs: number;
  /** Longest silence on an active socket. */
  readonly readTimeoutMs: number;
  /** Whole request. */
  readonly totalTimeoutMs: number;
  readonly maxSockets: number;
  readonly maxSocketsPerHost: number;
  readonly freeSocketTimeoutMs: number;
}

export interface AppConfig {
  readonly databricks: {
    /** Origin only, e.g. `https://adb-1.azuredatabricks.net`. */
    readonly host: string;
    /** The default space: chats neither pinned nor switched ask it. */
    readonly spaceId: string;
    /** Every space people may use, the default first (GENIE_SPACE_ID, under its alias). */
    readonly spaces: readonly SpaceChoice[];
    /** Teams and channels that always use one space: team or channel id → space alias. */
    readonly spacePins: readonly SpacePin[];
    /** The app's own Databricks credentials; absent only with GENIE_IDENTITY=user when none are set. */
    readonly auth?: DatabricksAuthConfig;
  };
  readonly genie: {
    readonly answerTimeoutMs: number;
    /** The workspace-wide pace of question POSTs (start-conversation, create-message). */
    readonly questionsPerMinute: number;
    readonly deleteExpiredConversations: boolean;
    /** Whose rights questions are asked with; `user`: the asker's token from the Bot Framework token service. */
    readonly identity: GenieIdentity;
    /** The Azure Bot OAuth connection giving user tokens (set when identity is `user`). */
    readonly oauthConnectionName?: string;
    readonly userAnswersInSharedChats: ChoiceOf<typeof GENIE_SETTINGS.userAnswersInSharedChats>;
    readonly adminContact?: string;
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
    /** The Bot Framework token service; absent: the public one. */
    readonly oauthUrl?: string;
    readonly sampleQuestions: readonly string[];
    /** The language of users whose Teams locale is none the bot speaks. */
    readonly defaultLocale: ChoiceOf<typeof BOT_SETTINGS.defaultLocale>;
  };
  readonly storage?: StorageConfig;
  /** Who may ask and how often (shared/policy): checked after authentication, before anything else. */
  readonly policy: PolicySettings;
  readonly state: {
    readonly store: ChoiceOf<typeof STATE_SETTINGS.store>;
    readonly tablePrefix: string;
    readonly sessionIdleMs: number;
    readonly memoryMaxEntries: number;
  };
  readonly answers: {
    readonly dispatch: ChoiceOf<typeof ANSWER_SETTINGS.dispatch>;
    readonly statusMessageDelayMs: number;
    /** Personal chats stream Genie's progress (Teams streaming) instead of the status line. */
    readonly streamProgress: boolean;
  };
  readonly cards: {
    readonly maxBytes: number;
    readonly maxRows: number;
    readonly maxColumns: number;
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

export type ConfigResult =
  { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export interface PolicySettings {
  /** Entra tenants served; absent: no tenant list applies (local development only). */
  readonly allowedTenantIds?: readonly string[];
  /** Bot Framework channel ids served. */
  readonly allowedChannels: readonly string[];
  /** Entra object ids of the people who may ask; absent: anyone who passes the other checks. */
  readonly allowedUserIds?: readonly string[];
  /** Entra group ids; a person in any of them may ask. */
  readonly allowedGroupIds?: readonly string[];
  /** Questions per person per minute, across all instances. */
  readonly userQuestionsPerMinute: number;
}
