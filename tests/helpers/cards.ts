/** Reading cards the bot sent, in integration tests. */

export type Activity = Record<string, unknown>;
export type Card = { body: Record<string, unknown>[] };

/** The first attachment's card of an activity, if any. */
export function cardOf(activity: Activity | undefined): Card | undefined {
  return (activity?.attachments as { content: Card }[] | undefined)?.[0]?.content;
}

/** Every Action.Execute in a card (in containers and action sets too), in order. */
export function executeActions(card: Card | undefined): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const visit = (element: Record<string, unknown>): void => {
    if (element.type === 'Action.Execute') found.push(element);
    for (const child of [...((element.items as Activity[]) ?? []), ...((element.actions as Activity[]) ?? [])]) visit(child);
  };
  card?.body.forEach(visit);
  return found;
}
