import type { Activity, AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';

import type { AppConfig } from '../config';
import type { GenieClient } from '../genie';
import type { Messages } from '../i18n';
import type { BotState } from '../state';
import type { Logger, Telemetry } from '../telemetry';
import type { UserTokens } from './adapter';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  type AdaptiveCard,
  attachment,
  plainText,
  renderHelpCard,
  renderSpacesCard,
  type UseSpaceActionData,
} from './cards';
import { conversationKeyOf } from './chat';
import { genieAs, personKeyOf, signInCard, tokenUserOf } from './sign-in';
import { chatTagOf, type SpaceDirectory, type SpaceView } from './spaces';

export interface SpaceCommandsDependencies {
  readonly config: AppConfig;
  readonly state: BotState;
  readonly genie: () => Promise<GenieClient>;
  readonly directory: SpaceDirectory;
  readonly userTokens?: UserTokens;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
}

/** Longest alias echoed back when it is not one of the spaces. */
const MAX_ECHOED_ALIAS = 40;

type Switched = { readonly ok: true; readonly space: SpaceView } | { readonly ok: false; readonly text: string };

/**
 * `spaces`, `use <alias>` and the spaces card's buttons (GENIE_SPACES): which spaces a person may
 * use and switching the chat between them; and the help card as it fits the chat's space.
 */
export class SpaceCommands {
  constructor(private readonly deps: SpaceCommandsDependencies) {}

  private get perUser(): boolean {
    return this.deps.userTokens !== undefined;
  }

  private chatKeyOf(activity: Partial<Activity>): string {
    return conversationKeyOf(activity, this.deps.config.genie.identity);
  }

  /** Who the cache of space lookups is kept for: the person in per-user mode, else the service. */
  private whoOf(activity: Partial<Activity>): string {
    return this.perUser ? personKeyOf(tokenUserOf(activity)) : 'service';
  }

  private async genieFor(activity: Partial<Activity>): Promise<GenieClient> {
    return genieAs(await this.deps.genie(), this.deps.userTokens, tokenUserOf(activity));
  }

  /** Per-user mode and the person has no token yet: the sign-in card goes out instead. True when sent. */
  private async signInFirst(context: TurnContext, messages: Messages): Promise<boolean> {
    const tokens = this.deps.userTokens;
    const connectionName = this.deps.config.genie.oauthConnectionName;
    if (!tokens || !connectionName || (await tokens.get(tokenUserOf(context.activity))) !== undefined) return false;
    await context.sendActivity({ attachments: [await signInCard(tokens, connectionName, context.activity, messages)] });
    return true;
  }

  /** The help card (and welcome): sample questions belong to the default space; other spaces show none. */
  async helpCard(activity: Partial<Activity>, messages: Messages, greeting = false): Promise<AdaptiveCard> {
    const { directory, config } = this.deps;
    const { space } = await directory.spaceOf(activity, this.deps.state.sessions, this.chatKeyOf(activity));
    const samples = space.spaceId === directory.defaultSpace.spaceId ? config.bot.sampleQuestions : [];
    if (!directory.several) return renderHelpCard(messages, samples, greeting);
    const view = await directory.view(space, await this.genieFor(activity), this.whoOf(activity));
    return renderHelpCard(messages, samples, greeting, view.title);
  }

  /** `spaces` (or `use` alone): the card of the spaces this person may use. */
  async list(context: TurnContext, messages: Messages): Promise<void> {
    if (await this.signInFirst(context, messages)) return;
    const card = await this.spacesCard(context.activity, messages);
    await context.sendActivity(card ? { attachments: [attachment(card)] } : messages.text('spaces.none'));
  }

  /** `use <alias>`: a plain sentence either way. */
  async use(context: TurnContext, alias: string, messages: Messages): Promise<void> {
    if (await this.signInFirst(context, messages)) return;
    const switched = await this.switchTo(context.activity, alias, messages);
    await context.sendActivity(switched.ok ? messages.text('spaces.switched', { title: plainText(switched.space.title) }) : switched.text);
  }

  /** A space's button: honoured only in the chat the card was sent to; the card is replaced by an updated one. */
  async useFromCard(context: TurnContext, data: UseSpaceActionData, messages: Messages): Promise<AdaptiveCardInvokeResponse> {
    const activity = context.activity;
    if (data.chat !== chatTagOf(this.chatKeyOf(activity))) {
      this.deps.telemetry.refused('card_action');
      this.deps.logger.info('policy.refused', { reason: 'card_action' });
      return {
        statusCode: 403,
        type: 'application/vnd.microsoft.error',
        value: { code: 'Forbidden', message: messages.text('refusal.cardActionElsewhere') },
      };
    }
    const switched = await this.switchTo(activity, data.alias, messages);
    const notice = switched.ok ? messages.text('spaces.switched', { title: plainText(switched.space.title) }) : switched.text;
    const card = await this.spacesCard(activity, messages, notice);
    if (!card) return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: notice as never };
    return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card as never };
  }

  private async spacesCard(activity: Partial<Activity>, messages: Messages, notice?: string): Promise<AdaptiveCard | undefined> {
    const { directory, state } = this.deps;
    const chatKey = this.chatKeyOf(activity);
    const spaces = await directory.usable(await this.genieFor(activity), this.whoOf(activity), this.perUser);
    if (!spaces.length) return undefined;
    const { space } = await directory.spaceOf(activity, state.sessions, chatKey);
    const example = (spaces.find((s) => s.alias !== space.alias) ?? spaces[0]!).alias;
    return renderSpacesCard(messages, spaces, space.alias, chatTagOf(chatKey), example, notice);
  }

  /** Moves the chat to `alias`'s space (a fresh conversation there), or says plainly why not. */
  private async switchTo(activity: Partial<Activity>, alias: string, messages: Messages): Promise<Switched> {
    const { directory, state, config } = this.deps;
    const genie = await this.genieFor(activity);
    const who = this.whoOf(activity);
    const pinned = directory.pinnedSpaceOf(activity);
    if (pinned) {
      const view = await directory.view(pinned, genie, who);
      return { ok: false, text: messages.text('spaces.pinned', { title: plainText(view.title) }) };
    }
    const space = directory.byAlias(alias);
    if (!space) {
      const usable = await directory.usable(genie, who, this.perUser);
      const aliases = usable.map((s) => `**${s.alias}**`).join(', ');
      const typed = plainText(alias.length > MAX_ECHOED_ALIAS ? `${alias.slice(0, MAX_ECHOED_ALIAS)}…` : alias);
      return { ok: false, text: messages.text('spaces.unknown', { alias: typed, aliases }) };
    }
    const found = await directory.lookup(space, genie, who);
    if (this.perUser && found.kind !== 'open') {
      const text =
        found.kind === 'refused'
          ? messages.text('spaces.noAccess', { title: plainText(space.alias), admin: config.genie.adminContact ?? 'none' })
          : messages.text('error.network');
      return { ok: false, text };
    }
    const view = await directory.view(space, genie, who);
    await state.sessions.choose(this.chatKeyOf(activity), space.spaceId);
    this.deps.logger.debug('space.chosen', { space: space.alias });
    return { ok: true, space: view };
  }
}
