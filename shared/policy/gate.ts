import type { PolicySettings } from '../config';
import { ensureError } from '../http';
import { type Locale, type MessageKey, messagesFor, type MessageValues, resolveLocale } from '../i18n';
import type { GroupMembership } from './groups';
import type { UserRateLimiter } from './rate';
import type { RefusalReason } from './refusals';

/** The parts of an inbound activity the gate reads (a botbuilder Activity fits). */
export interface GateActivity {
  readonly type?: string;
  readonly channelId?: string;
  readonly from?: { readonly id?: string; readonly aadObjectId?: string };
  readonly conversation?: { readonly tenantId?: string };
  readonly locale?: string;
  readonly channelData?: unknown;
}

export type GateDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly reason: RefusalReason;
      /** What the person is told, in their language, when the activity is a message (else the webhook answers 403). */
      readonly reply?: string;
      /** The error behind a check that could not be made (for the operator's log). */
      readonly error?: Error;
    };

export interface PolicyGateOptions<A extends GateActivity> {
  readonly settings: PolicySettings;
  /** Needed when settings.allowedGroupIds is set. */
  readonly groups?: GroupMembership;
  /** Needed for the per-person rate; without it no rate applies. */
  readonly rate?: UserRateLimiter;
  /** Whether a message is a question for Genie (commands and empty messages are not counted). */
  readonly isQuestion: (activity: A) => boolean;
  /** The language of people whose Teams locale the bot does not speak (DEFAULT_LOCALE). */
  readonly defaultLocale: Locale;
}

const ALLOWED: GateDecision = { allowed: true };

/** The tenant an activity says it comes from: Teams puts it in channelData and on the conversation. */
export function tenantOf(activity: GateActivity): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const ids = [fromChannelData, activity.conversation?.tenantId].filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (!ids.length) return undefined;
  const lower = ids.map((id) => id.toLowerCase());
  // Two different tenants in one activity is not something Teams sends: treat it as none.
  return lower.every((id) => id === lower[0]) ? lower[0] : undefined;
}

/**
 * The one policy gate: run on every authenticated activity before de-duplication, state or Genie.
 * Channel and tenant apply to every activity; who the person is applies to messages and invokes;
 * the per-person rate applies to questions only. Checks that cannot be made refuse (fail closed).
 */
export class PolicyGate<A extends GateActivity = GateActivity> {
  constructor(private readonly options: PolicyGateOptions<A>) {}

  private say(activity: A, key: MessageKey, values?: MessageValues): string {
    return messagesFor(resolveLocale(activity.locale, this.options.defaultLocale)).text(key, values);
  }

  async check(activity: A): Promise<GateDecision> {
    const { settings } = this.options;
    if (!settings.allowedChannels.includes((activity.channelId ?? '').toLowerCase())) return { allowed: false, reason: 'channel' };
    if (settings.allowedTenantIds) {
      const tenant = tenantOf(activity);
      if (!tenant || !settings.allowedTenantIds.includes(tenant)) return { allowed: false, reason: 'tenant' };
    }
    if (activity.type !== 'message' && activity.type !== 'invoke') return ALLOWED;
    const who = await this.checkPerson(activity);
    if (!who.allowed) return who;
    if (activity.type === 'message' && this.options.rate && this.options.isQuestion(activity)) return this.checkRate(activity);
    return ALLOWED;
  }

  private async checkPerson(activity: A): Promise<GateDecision> {
    const { allowedUserIds, allowedGroupIds } = this.options.settings;
    if (!allowedUserIds && !allowedGroupIds) return ALLOWED;
    const objectId = activity.from?.aadObjectId?.toLowerCase();
    if (!objectId) return { allowed: false, reason: 'user', reply: this.say(activity, 'refusal.notAllowed') };
    if (allowedUserIds?.includes(objectId)) return ALLOWED;
    if (!allowedGroupIds || !this.options.groups)
      return { allowed: false, reason: 'user', reply: this.say(activity, 'refusal.notAllowed') };
    try {
      if (await this.options.groups.isMemberOfAny(objectId, allowedGroupIds)) return ALLOWED;
    } catch (error: unknown) {
      return {
        allowed: false,
        reason: 'group_check_failed',
        reply: this.say(activity, 'refusal.membershipUnknown'),
        error: ensureError(error),
      };
    }
    return { allowed: false, reason: 'group', reply: this.say(activity, 'refusal.notAllowed') };
  }

  private async checkRate(activity: A): Promise<GateDecision> {
    const userId = activity.from?.aadObjectId?.toLowerCase() ?? activity.from?.id ?? '';
    try {
      const taken = await this.options.rate!.take(userId);
      if (taken.ok) return ALLOWED;
      return {
        allowed: false,
        reason: 'rate',
        reply: this.say(activity, 'refusal.tooMany', { seconds: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)) }),
      };
    } catch (error: unknown) {
      return { allowed: false, reason: 'rate_check_failed', reply: this.say(activity, 'refusal.rateUnknown'), error: ensureError(error) };
    }
  }
}
