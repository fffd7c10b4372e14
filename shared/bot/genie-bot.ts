import { createHash, randomUUID } from 'node:crypto';

import {
  type Activity,
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type InvokeResponse,
  TurnContext,
} from 'botbuilder';

import type { AppConfig } from '../config';
import type { GenieClient } from '../genie';
import { ensureError } from '../http';
import { type Messages, messagesFor, resolveLocale } from '../i18n';
import type { BotState, QuestionDispatcher, StoredReference } from '../state';
import type { Logger, Telemetry } from '../telemetry';
import type { ConversationSender, UserTokens } from './adapter';
import { CardActions } from './card-actions';
import { attachment } from './cards';
import { conversationKeyOf, isSharedChat } from './chat';
import { parseCommand, parseUse } from './commands';
import { SUBMIT_ACTION_INVOKE } from './feedback-loop';
import { completeSignIn, genieAs, personKeyOf, signInCard, tokenUserOf } from './sign-in';
import { SpaceCommands } from './space-commands';
import { SpaceDirectory } from './spaces';
import { RetryLaterError } from './webhook';

/** The typing indicator follows the webhook's answer by this much: imperceptible, and out of a burst's way. */
const TYPING_DELAY_MS = 25;

/** Longest question passed on to Genie. */
export const MAX_QUESTION_CHARS = 4_000;

/** The message text with the bot's @mention (and any leftover <at> tags) removed. */
export function questionText(activity: Partial<Activity>, botId: string | undefined): string {
  let text = activity.text ?? '';
  for (const entity of activity.entities ?? []) {
    const mentioned = entity as { type?: string; mentioned?: { id?: string }; text?: string };
    if (mentioned.type === 'mention' && mentioned.text && (!botId || mentioned.mentioned?.id === botId)) {
      text = text.split(mentioned.text).join(' ');
    }
  }
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The job of a message activity, the same for every delivery of it (a UUID-shaped hash). */
export function jobIdOf(conversationId: string, activityId: string): string {
  const hex = createHash('sha256').update(`${conversationId}|${activityId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Whether a message would reach Genie as a question (not a command, not empty): what the per-person rate counts. */
export function isQuestion(activity: Partial<Activity>): boolean {
  if (activity.type !== 'message') return false;
  const text = questionText(activity, activity.recipient?.id);
  // `use <alias>` counts: with one space offered it is a question for Genie (the rate may not be dodged with it).
  return text.length > 0 && parseCommand(text) === undefined;
}

export interface GenieBotDependencies {
  readonly config: AppConfig;
  readonly state: BotState;
  readonly dispatcher: QuestionDispatcher;
  /** Sends outside a turn (the typing indicator after the webhook answered). */
  readonly sender: ConversationSender;
  readonly genie: () => Promise<GenieClient>;
  /** The token service (GENIE_IDENTITY=user): Genie is asked with the asker's token from it. */
  readonly userTokens?: UserTokens;
  /** The spaces offered (GENIE_SPACES); shared with the answer worker. @default one built from config */
  readonly spaces?: SpaceDirectory;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
}

/**
 * The conversation logic: commands and card actions answered at once; a question recorded as a
 * job and handed to the answer worker, so the webhook never waits for Genie.
 */
export class GenieBot extends ActivityHandler {
  private readonly salt: string;
  private readonly spaces: SpaceDirectory;
  private readonly spaceCommands: SpaceCommands;
  private readonly cardActions: CardActions;

  constructor(private readonly deps: GenieBotDependencies) {
    super();
    this.salt = deps.config.telemetry.hashSalt ?? randomUUID();
    this.spaces = deps.spaces ?? new SpaceDirectory(deps.config);
    this.spaceCommands = new SpaceCommands({ ...deps, directory: this.spaces });
    this.cardActions = new CardActions({
      ...deps,
      spaceCommands: this.spaceCommands,
      genieFor: (activity) => this.genieFor(activity),
      chatKeyOf: (activity) => this.conversationKey(activity),
      userHash: (activity) => this.userHash(activity),
    });
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((member) => member.id === botId)) await this.welcome(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.welcome(context);
      await next();
    });
  }

  /** Salted hash of the person, so logs can tell users apart without naming them. */
  userHash(activity: Partial<Activity>): string {
    const id = activity.from?.aadObjectId ?? activity.from?.id ?? 'unknown';
    return createHash('sha256').update(`${this.salt}:${id}`).digest('hex').slice(0, 16);
  }

  /** The language the user's Teams client asked for, or the configured default. */
  private messagesOf(activity: Partial<Activity>): Messages {
    return messagesFor(resolveLocale(activity.locale, this.deps.config.bot.defaultLocale));
  }

  /** Install and add both announce the bot; one welcome per conversation. */
  private async welcome(context: TurnContext): Promise<void> {
    const conversationId = context.activity.conversation?.id ?? '';
    if (!(await this.deps.state.dedup.firstSeen(conversationId, 'welcome'))) return;
    const card = await this.spaceCommands.helpCard(context.activity, this.messagesOf(context.activity), true);
    await context.sendActivity({ attachments: [attachment(card)] });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const conversationId = activity.conversation?.id ?? '';
    // Teams redelivers when we are slow, Bot Service when we answered 503: every message activity is taken once.
    const delivery = activity.id ? await this.deliveryOf(activity, conversationId, activity.id) : 'first';
    if (delivery === 'handOffAgain') {
      await this.handOffAgain(jobIdOf(conversationId, activity.id!), activity);
      return;
    }
    if (delivery !== 'first') {
      this.deps.logger.debug('message.duplicate', { user: this.userHash(activity) });
      return;
    }
    const messages = this.messagesOf(activity);
    const text = questionText(activity, activity.recipient?.id);
    if (!text) {
      if (activity.value === undefined) await context.sendActivity(messages.text('reply.notText'));
      return;
    }
    const command = parseCommand(text);
    if (command === 'help') {
      await context.sendActivity({ attachments: [attachment(await this.spaceCommands.helpCard(activity, messages))] });
      return;
    }
    if (command === 'spaces' || command === 'use') {
      await this.spaceCommands.list(context, messages);
      return;
    }
    // With one space there is nothing to switch to: `use the discount code` stays a question.
    const alias = this.spaces.several ? parseUse(text) : undefined;
    if (alias !== undefined) {
      await this.spaceCommands.use(context, alias, messages);
      return;
    }
    // Only per-user mode has a sign-in to end; elsewhere the words go to Genie as before.
    if (command === 'signOut' && this.deps.userTokens) {
      await this.deps.userTokens.signOut(tokenUserOf(activity));
      await context.sendActivity(messages.text('signOut.done'));
      return;
    }
    if (command === 'new') {
      await this.deps.state.sessions.reset(this.conversationKey(activity));
      await context.sendActivity(messages.text('reply.newConversation'));
      return;
    }
    if (text.length > MAX_QUESTION_CHARS) {
      await context.sendActivity(messages.text('reply.tooLong', { max: MAX_QUESTION_CHARS }));
      return;
    }
    const { identity, userAnswersInSharedChats } = this.deps.config.genie;
    if (identity === 'user' && isSharedChat(activity) && userAnswersInSharedChats === 'personal-chat-only') {
      await context.sendActivity(messages.text('refusal.personalChatOnly'));
      return;
    }
    await this.acceptQuestion(context, text, messages);
  }

  private conversationKey(activity: Partial<Activity>): string {
    return conversationKeyOf(activity, this.deps.config.genie.identity);
  }

  /** The Genie client for this person: the service's, or one asking with the person's own token. */
  private async genieFor(activity: Partial<Activity>): Promise<GenieClient> {
    return genieAs(await this.deps.genie(), this.deps.userTokens, tokenUserOf(activity));
  }

  /** Teams' sign-in invokes: the parked question, if any, is answered now without being asked again. */
  protected override async onSignInInvoke(context: TurnContext): Promise<void> {
    const tokens = this.deps.userTokens;
    const connectionName = this.deps.config.genie.oauthConnectionName;
    if (!tokens || !connectionName) return;
    if (!(await completeSignIn(context, tokens, connectionName))) {
      await context.sendActivity(this.messagesOf(context.activity).text('signIn.failed'));
      return;
    }
    const job = await this.deps.state.jobs.unpark(personKeyOf(tokenUserOf(context.activity)));
    if (job) await this.deps.dispatcher.dispatch({ jobId: job.id });
  }

  /**
   * What to do with this delivery of a message. The first is handled. A redelivery is handled again
   * when the first claimed a question but recorded no job (storage failed in between and the claim
   * could not be given back: the job id comes from the activity, so both name the same job), and
   * handed off again when the job was recorded but no worker ever touched it (the hand-off may have
   * failed): a second queue message for one job is safe, the job's worker lease lets one work it.
   * Storage unreachable: nothing is taken, and the channel is asked to deliver again.
   */
  private async deliveryOf(activity: Activity, conversationId: string, activityId: string): Promise<'first' | 'taken' | 'handOffAgain'> {
    try {
      if (await this.deps.state.dedup.firstSeen(conversationId, activityId)) return 'first';
      if (!isQuestion(activity) || questionText(activity, activity.recipient?.id).length > MAX_QUESTION_CHARS) return 'taken';
      const job = await this.deps.state.jobs.get(jobIdOf(conversationId, activityId));
      if (!job) return 'first';
      return job.value.state === 'queued' && job.value.updatedAt === job.value.createdAt ? 'handOffAgain' : 'taken';
    } catch (error: unknown) {
      this.deps.logger.warn('message.deferred', { user: this.userHash(activity), error: ensureError(error).name });
      throw new RetryLaterError({ cause: error });
    }
  }

  private async handOffAgain(jobId: string, activity: Activity): Promise<void> {
    try {
      await this.deps.dispatcher.dispatch({ jobId });
    } catch (error: unknown) {
      this.deps.logger.error('question.handoff_failed', { job: jobId, user: this.userHash(activity), error: ensureError(error).name });
      throw new RetryLaterError({ cause: error });
    }
  }

  /** Records the question as a job and hands it off; the answer comes later, from the worker. */
  private async acceptQuestion(context: TurnContext, question: string, messages: Messages): Promise<void> {
    const activity = context.activity;
    const userHash = this.userHash(activity);
    const jobId = activity.id ? jobIdOf(activity.conversation?.id ?? '', activity.id) : randomUUID();
    const reference = JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))) as StoredReference;
    // The worker answers later, maybe elsewhere: the job carries the language the question came in.
    const chatKey = this.conversationKey(activity);
    try {
      // The question goes to the space its chat asks now, even if the chat moves on before it is answered.
      const { space } = await this.spaces.spaceOf(activity, this.deps.state.sessions, chatKey);
      const job = { id: jobId, chatKey, spaceId: space.spaceId, question, reference, userHash, locale: messages.locale };
      if (await this.parkUntilSignedIn(context, job, messages)) return;
      await this.deps.state.jobs.create(job);
      await this.deps.dispatcher.dispatch({ jobId });
    } catch (error: unknown) {
      // The claim given back (best effort), or a redelivery finds the job missing or queued: either way it is taken again.
      await this.deps.state.dedup.forget(activity.conversation?.id ?? '', activity.id ?? '').catch(() => false);
      this.deps.logger.error('question.handoff_failed', { job: jobId, user: userHash, error: ensureError(error).name });
      throw new RetryLaterError({ cause: error });
    }
    // The typing indicator is a courtesy: sent just after the webhook has answered (a burst of
    // questions is acknowledged first), outside the turn, and its failure cannot fail the hand-off.
    setTimeout(() => {
      this.deps.sender.send(reference, { type: 'typing' }, { retry: false }).catch((error: unknown) => {
        this.deps.logger.debug('typing.failed', { error: ensureError(error).name });
      });
    }, TYPING_DELAY_MS);
    this.deps.telemetry.questionAccepted();
    // Per-question lines are debug: at info the log carries failures and the sampled stats only.
    this.deps.logger.debug('question.accepted', {
      job: jobId,
      user: userHash,
      chars: question.length,
      ...(this.deps.config.telemetry.logQuestionText ? { question } : {}),
    });
  }

  /**
   * GENIE_IDENTITY=user and the token service has no token for the asker: the question waits
   * (nothing reaches Genie) and the sign-in card goes out. True when parked.
   */
  private async parkUntilSignedIn(
    context: TurnContext,
    job: Parameters<BotState['jobs']['park']>[1],
    messages: Messages,
  ): Promise<boolean> {
    const tokens = this.deps.userTokens;
    const connectionName = this.deps.config.genie.oauthConnectionName;
    if (!tokens || !connectionName) return false;
    const user = tokenUserOf(context.activity);
    if ((await tokens.get(user)) !== undefined) return false;
    await this.deps.state.jobs.park(personKeyOf(user), job);
    await context.sendActivity({ attachments: [await signInCard(tokens, connectionName, context.activity, messages)] });
    this.deps.logger.debug('question.awaiting_sign_in', { job: job.id, user: job.userHash });
    return true;
  }

  /** Card buttons (Action.Execute): their own file. */
  protected override onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return this.cardActions.onCardAction(context, invokeValue, this.messagesOf(context.activity));
  }

  /** Teams' own 👍/👎 (`message/submitAction`); every other invoke as botbuilder handles it. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== SUBMIT_ACTION_INVOKE) return super.onInvokeActivity(context);
    return this.cardActions.onTeamsFeedback(context);
  }
}
