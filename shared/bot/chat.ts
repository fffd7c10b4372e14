import type { Activity } from 'botbuilder';

/**
 * The chat a question belongs to: a personal chat, a group chat, or a channel thread (Teams puts
 * the thread's root message id in conversation.id as `;messageid=`). One Genie conversation each.
 */
export function chatKeyOf(activity: Partial<Activity>): string {
  const conversation = activity.conversation;
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return `${conversation?.tenantId ?? channelData?.tenant?.id ?? ''}|${conversation?.id ?? ''}`;
}
