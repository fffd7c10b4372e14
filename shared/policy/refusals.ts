/**
 * Why the gate refused, as operators see it (metrics, logs, 403 bodies), and what the person is
 * told. Every user-facing refusal text is here, short and polite, and never repeats any data.
 */
export type RefusalReason =
  | 'channel'
  | 'tenant'
  | 'user'
  | 'group'
  | 'group_check_failed'
  | 'rate'
  | 'rate_check_failed'
  | 'service_url'
  | 'card_action';

/** The code in a 403 body and in logs: names the check, never the value that failed it. */
export const REFUSAL_CODES: Readonly<Record<RefusalReason, string>> = {
  channel: 'channel_not_allowed',
  tenant: 'tenant_not_allowed',
  user: 'user_not_allowed',
  group: 'user_not_in_allowed_group',
  group_check_failed: 'group_check_unavailable',
  rate: 'user_rate_exceeded',
  rate_check_failed: 'rate_check_unavailable',
  service_url: 'service_url_not_loopback_without_app_id',
  card_action: 'card_action_not_from_its_chat',
};

export const REFUSAL_TEXT = {
  notAllowed: "Sorry, I can only answer questions for the people this bot was set up for. Your administrator can add you.",
  membershipUnknown: "Sorry, I couldn't check right now that you may use this bot. Please try again in a few minutes.",
  rateUnknown: "Sorry, I couldn't take your question just now. Please send it again in a moment.",
  tooMany: (seconds: number): string =>
    `You've asked a lot of questions in the last minute. Please wait ${seconds} ${seconds === 1 ? 'second' : 'seconds'} and ask again.`,
  cardActionElsewhere: 'That button belongs to another conversation.',
} as const;
