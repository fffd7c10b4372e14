/**
 * Why the gate refused, as operators see it (metrics, logs, 403 bodies). What the person is told
 * lives in the message catalogs (`refusal.*`): short, polite, and never repeating any data.
 */
export type RefusalReason =
  'channel' | 'tenant' | 'user' | 'group' | 'group_check_failed' | 'rate' | 'rate_check_failed' | 'service_url' | 'card_action';

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
