import type { Activity } from 'botbuilder';

import type { GenieIdentity } from '../config';

/**
 * The chat a question belongs to: a personal chat, a group chat, or a channel thread (Teams puts
 * the thread's root message id in conversation.id as `;messageid=`). One Genie conversation each.
 */
export function chatKeyOf(activity: Partial<Activity>): string {
  const conversation = activity.conversation;
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return `${conversation?.tenantId ?? channelData?.tenant?.id ?? ''}|${conversation?.id ?? ''}`;
}

/**
 * The key of the Genie conversation a question continues. With the asker's own rights
 * (GENIE_IDENTITY=user) each person in a group chat or channel thread has their own: Genie refuses
 * to continue one person's conversation with another's token, and must not be asked to.
 */
export function conversationKeyOf(activity: Partial<Activity>, identity: GenieIdentity): string {
  const chat = chatKeyOf(activity);
  return identity === 'user' ? `${chat}|${activity.from?.id ?? ''}` : chat;
}

/** Whether others can read what the bot posts here (group chats and channels). */
export function isSharedChat(activity: Partial<Activity>): boolean {
  return (activity.conversation?.conversationType ?? 'personal') !== 'personal';
}
