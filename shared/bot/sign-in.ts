import { type Activity, type Attachment, CardFactory, InvokeException, StatusCodes, TurnContext } from 'botbuilder';

import { type GenieClient, userTokenSource } from '../genie';
import type { Messages } from '../i18n';
import type { StoredReference } from '../state';
import type { TokenUser, UserTokens } from './adapter';

/** The person a token belongs to, as the token service keys it: from a turn's activity or a job's stored reference. */
export function tokenUserOf(activity: Partial<Activity>): TokenUser {
  return { userId: activity.from?.id ?? '', channelId: activity.channelId ?? '' };
}

export function tokenUserOfReference(reference: StoredReference): TokenUser {
  const user = reference.user as { id?: string } | undefined;
  return { userId: user?.id ?? '', channelId: typeof reference.channelId === 'string' ? reference.channelId : '' };
}

/**
 * The client a question is asked with: the service's own, or (with a token service, GENIE_IDENTITY=user)
 * the same client asking with `user`'s current token, fetched when first needed and again after a 401.
 */
export function genieAs(genie: GenieClient, tokens: UserTokens | undefined, user: TokenUser): GenieClient {
  return tokens ? genie.withTokens(userTokenSource(() => tokens.get(user))) : genie;
}

/** Where a person's question waits for their sign-in. */
export function personKeyOf(user: TokenUser): string {
  return `${user.channelId}|${user.userId}`;
}

/**
 * The sign-in card: an OAuthCard whose token-exchange resource lets Teams sign the person in
 * silently (SSO, answered by signin/tokenExchange); Teams shows the button when that fails.
 */
export async function signInCard(
  tokens: UserTokens,
  connectionName: string,
  activity: Partial<Activity>,
  messages: Messages,
): Promise<Attachment> {
  const resource = await tokens.signInResource(activity);
  return CardFactory.oauthCard(
    connectionName,
    messages.text('signIn.title'),
    messages.text('signIn.prompt'),
    resource.signInLink,
    resource.tokenExchangeResource,
  );
}

/** An activity standing for a job's chat and asker, for the token service's sign-in resource outside a turn. */
export function activityOfReference(reference: StoredReference): Partial<Activity> {
  return TurnContext.applyConversationReference({ type: 'message' }, reference, true);
}

/**
 * Completes a sign-in from Teams' invoke: `signin/tokenExchange` (SSO: the token Teams sent is
 * exchanged; 412 makes Teams show the sign-in button instead) or `signin/verifyState` (the code
 * from the sign-in page). True when the person now has a token.
 */
export async function completeSignIn(context: TurnContext, tokens: UserTokens, connectionName: string): Promise<boolean> {
  const activity = context.activity;
  const user = tokenUserOf(activity);
  const value = (activity.value ?? {}) as { id?: string; token?: string; state?: string };
  if (activity.name === 'signin/tokenExchange') {
    const token = value.token ? await tokens.exchange(user, value.token) : undefined;
    if (!token) {
      throw new InvokeException(StatusCodes.PRECONDITION_FAILED, {
        id: value.id,
        connectionName,
        failureDetail: 'The token could not be exchanged.',
      });
    }
    return true;
  }
  return (await tokens.get(user, value.state)) !== undefined;
}
