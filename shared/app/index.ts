import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { TurnContext } from 'botbuilder';

import {
  AnswerWorker,
  BotHost,
  GenieBot,
  handleWebhook,
  isQuestion,
  SpaceDirectory,
  type WebhookInput,
  type WebhookPolicy,
  type WebhookResult,
} from '../bot';
import { type AppConfig, ConfigError, getConfig, QUESTIONS_QUEUE } from '../config';
import { createTokenSource, failureReasonOf, GenieClient, noServiceCredentials, PACED_RETRY_POLICY, type PollSchedule } from '../genie';
import { ensureError, getSharedHttpClient, sharedHttpStats } from '../http';
import { messagesFor, resolveLocale } from '../i18n';
import { GraphGroupMembership, type GraphGroupMembershipOptions, PolicyGate, type RateWindow, UserRateLimiter } from '../policy';
import { appVersion, wasColdStart } from '../runtime';
import {
  type BotState,
  createBotState,
  createQuestionQueue,
  createRecordStores,
  InlineDispatcher,
  isQuestionMessage,
  type QuestionDispatcher,
  type RecordStore,
  StorageQueueDispatcher,
  sweepExpired,
  type SweepResult,
} from '../state';
import {
  createLogger,
  type Logger,
  type LogSink,
  type MetricsDocument,
  type OpenTelemetryHandles,
  startAzureMonitor,
  Telemetry,
} from '../telemetry';

/**
 * The composition root: every per-process singleton, built once on first use and kept across warm
 * invocations. Function handlers reach it through a dynamic import, so loading botbuilder and the
 * rest never delays start-up or the health check.
 */
export interface BotApp {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly state: BotState;
  readonly genie: GenieClient;
  readonly host: BotHost;
  readonly bot: GenieBot;
  readonly worker: AnswerWorker;
  readonly dispatcher: QuestionDispatcher;
  /** The policy gate between authentication and everything else. */
  readonly policy: WebhookPolicy;
}

/** What tests may swap: where logs go, and OpenTelemetry providers (in-memory exporters). */
export interface BotAppOverrides {
  readonly logSink?: LogSink;
  readonly otel?: OpenTelemetryHandles;
  /** The poll schedule (benchmarks drive zero-latency answers). */
  readonly schedule?: PollSchedule;
  /** Microsoft Graph for the group check (tests: a loopback fake and a fixed token). */
  readonly graph?: Pick<GraphGroupMembershipOptions, 'credential' | 'baseUrl'>;
}

/** The app's managed identity (the user-assigned one the storage settings name), for Microsoft Graph. */
function appCredential(config: AppConfig): TokenCredential {
  const clientId = config.storage?.kind === 'identity' ? config.storage.clientId : undefined;
  return clientId ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}

export async function createBotApp(config: AppConfig, overrides: BotAppOverrides = {}): Promise<BotApp> {
  const logger = createLogger(config.telemetry.logLevel, overrides.logSink);
  const otel = overrides.otel ?? (await startAzureMonitor(config.telemetry, appVersion()));
  const http = getSharedHttpClient(config.http);
  const stores = createRecordStores(config);
  const state = createBotState(stores, config);
  const telemetry = new Telemetry({
    logger,
    ...(otel ? { meter: otel.meter, tracer: otel.tracer } : {}),
    statsIntervalMs: config.telemetry.statsLogIntervalMs,
    statsSampleRate: config.telemetry.statsLogSampleRate,
    sessionsActive: () => state.sessions.countActive(),
    httpStats: sharedHttpStats,
    setup: {
      version: appVersion(),
      stateStore: stores.kind,
      dispatch: config.answers.dispatch,
      botAuth: config.bot.authEnabled,
      databricksAuth: config.databricks.auth?.type ?? 'none',
      applicationInsights: otel !== undefined,
    },
  });
  const genie = new GenieClient({
    host: config.databricks.host,
    spaceId: config.databricks.spaceId,
    http,
    tokens: config.databricks.auth ? createTokenSource(config.databricks.host, config.databricks.auth, http) : noServiceCredentials(),
    // A question POST Genie refuses with 429 goes back to the pacer (AnswerWorker), not straight back to Genie.
    retry: PACED_RETRY_POLICY,
    observer: { onCall: (event) => telemetry.onCall(event), onRetry: (event) => telemetry.onRetry(event) },
  });
  const genieFactory = () => Promise.resolve(genie);
  const host = new BotHost(config.bot, async (context: TurnContext, error: unknown) => {
    // Last line of defence: operators get the error's name, the user a plain sentence.
    logger.error('turn.failed', { error: ensureError(error).name, activity: context.activity.type });
    const messages = messagesFor(resolveLocale(context.activity.locale, config.bot.defaultLocale));
    await context.sendActivity(messages.text('reply.turnFailed')).catch(() => undefined);
  });
  // GENIE_IDENTITY=user: questions are asked with the asker's token from the Bot Framework token service.
  const userTokens =
    config.genie.identity === 'user' && config.genie.oauthConnectionName ? host.userTokens(config.genie.oauthConnectionName) : undefined;
  // One cache of space titles (and who may open them) for commands and answers alike.
  const spaces = new SpaceDirectory(config);
  const worker = new AnswerWorker({
    config,
    state,
    sender: host,
    genie: genieFactory,
    spaces,
    ...(userTokens ? { userTokens } : {}),
    logger,
    telemetry,
    defer: (message, delayMs) => dispatcher.dispatch(message, { delayMs }),
    ...(overrides.schedule ? { schedule: overrides.schedule } : {}),
  });
  const dispatcher: QuestionDispatcher =
    config.answers.dispatch === 'queue' && config.storage
      ? new StorageQueueDispatcher(createQuestionQueue(config.storage, QUESTIONS_QUEUE))
      : new InlineDispatcher(
          (message, dequeueCount) => worker.process(message, dequeueCount),
          (message) => worker.poison(message),
          { onError: (error, attempt) => logger.warn('inline.attempt_failed', { error: error.name, attempt }) },
        );
  const bot = new GenieBot({
    config,
    state,
    dispatcher,
    sender: host,
    genie: genieFactory,
    spaces,
    ...(userTokens ? { userTokens } : {}),
    logger,
    telemetry,
  });
  // Rate windows share the de-dup table: same conditional writes across instances, same sweep.
  const rateWindows: RecordStore<RateWindow> = state.stores.dedup;
  const gate = new PolicyGate({
    settings: config.policy,
    rate: new UserRateLimiter(rateWindows, config.policy.userQuestionsPerMinute),
    isQuestion,
    defaultLocale: config.bot.defaultLocale,
    ...(config.policy.allowedGroupIds
      ? {
          groups: new GraphGroupMembership({
            http,
            credential: overrides.graph?.credential ?? appCredential(config),
            ...(overrides.graph?.baseUrl ? { baseUrl: overrides.graph.baseUrl } : {}),
          }),
        }
      : {}),
  });
  const policy: WebhookPolicy = {
    check: (activity) => gate.check(activity),
    onRefused: (reason, activity, error) => {
      telemetry.refused(reason);
      logger.info('policy.refused', { reason, user: bot.userHash(activity), ...(error ? { error: error.name } : {}) });
    },
  };
  if (!config.bot.authEnabled) {
    logger.warn('auth.disabled', { detail: 'MicrosoftAppId is not set: webhook requests are not authenticated. Local development only.' });
  }
  logger.info('app.started', { store: stores.kind, dispatch: dispatcher.mode, telemetry: otel ? 'azure-monitor' : 'off' });
  return { config, logger, telemetry, state, genie, host, bot, worker, dispatcher, policy };
}

let app: Promise<BotApp> | undefined;
let appOverrides: BotAppOverrides = {};

/** What the process's app is built with (tests reaching it over HTTP); takes effect when it is built. */
export function useBotAppOverrides(overrides: BotAppOverrides): void {
  appOverrides = overrides;
}

/** The process's app, built from configuration on first use (rejects with a ConfigError naming every problem). */
export async function getBotApp(): Promise<BotApp> {
  app ??= createBotApp(getConfig(), appOverrides).catch((error: unknown) => {
    app = undefined;
    throw error;
  });
  return app;
}

/**
 * What the Functions host sees of a failure it must know about (to retry, to log): a code only,
 * since it writes messages to its logs and Application Insights and a message may quote Genie's
 * error text (table names) or a URL. The error itself stays in `cause`.
 */
export class InvocationError extends Error {
  constructor(
    readonly code: string,
    options: { readonly cause: unknown },
  ) {
    super(code, options);
    this.name = 'InvocationError';
  }
}

/** Runs an entry point, rethrowing any failure as a code-only {@link InvocationError} (a ConfigError names settings only, and stays). */
async function codesOnly<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw error;
    throw new InvocationError(`${ensureError(error).name}:${failureReasonOf(error)}`, { cause: error });
  }
}

/** POST /api/messages, from raw request to status: used by the messages function. */
export function receiveActivity(input: WebhookInput, started: number): Promise<WebhookResult> {
  return codesOnly(async () => {
    const current = await getBotApp();
    const result = await handleWebhook(
      input,
      current.host,
      current.config.bot.authEnabled,
      (context) => current.bot.run(context),
      current.policy,
    );
    current.telemetry.webhookHandled(result.activityType, performance.now() - started);
    return result;
  });
}

/** What became of a queue message: `dropped` when it is not a question job (nothing to retry, nobody to tell). */
export type QueueOutcome = 'handled' | 'dropped';

/** The answer worker's entry for one queue message. */
export async function answerQuestion(entry: unknown, dequeueCount: number, traceparent?: string): Promise<QueueOutcome> {
  if (!isQuestionMessage(entry)) return 'dropped';
  await codesOnly(async () => (await getBotApp()).worker.process(entry, dequeueCount, traceparent));
  return 'handled';
}

/** The poison queue's entry: the user hears their question could not be answered. */
export async function abandonQuestion(entry: unknown, dequeueCount: number): Promise<QueueOutcome> {
  if (!isQuestionMessage(entry)) return 'dropped';
  await codesOnly(async () => (await getBotApp()).worker.poison(entry, dequeueCount));
  return 'handled';
}

/** The timer sweep: expired sessions (and their Genie conversations), de-dup keys, finished jobs. */
export function sweep(now: number = Date.now()): Promise<SweepResult> {
  return codesOnly(async () => {
    const current = await getBotApp();
    const result = await sweepExpired(current.state.stores, {
      now,
      // With the askers' own rights the service may not delete their conversations, and the sweep
      // has no asker to act for: they stay in the space (docs/security.md, per-user mode).
      ...(current.config.genie.deleteExpiredConversations && current.config.genie.identity === 'service'
        ? { deleteConversation: (spaceId: string, conversationId: string) => deleteConversation(current.genie, spaceId, conversationId) }
        : {}),
      onDeleteError: (error) => current.logger.warn('sweep.delete_failed', { error: ensureError(error).name }),
    });
    current.logger.info('sweep.done', { ...result });
    return result;
  });
}

async function deleteConversation(genie: GenieClient, spaceId: string, conversationId: string): Promise<void> {
  try {
    await genie.deleteConversation(conversationId, spaceId);
  } catch (error: unknown) {
    // Already gone counts as deleted.
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

/** GET /api/metrics: this instance's figures; `invocationId` tells whether this request was its cold start. */
export async function metricsSnapshot(invocationId: string): Promise<MetricsDocument> {
  return (await getBotApp()).telemetry.snapshot(wasColdStart(invocationId));
}
