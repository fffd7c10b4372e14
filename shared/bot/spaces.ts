import { createHash } from 'node:crypto';

import type { Activity } from 'botbuilder';

import type { AppConfig, SpaceChoice } from '../config';
import { type GenieClient, GenieHttpError, type GenieSpace } from '../genie';
import { type Clock, systemClock } from '../runtime';
import type { SessionService } from '../state';

/** How long a space's title and description (and whether a person may open it) are kept before Genie is asked again. */
export const SPACE_INFO_TTL_MS = 5 * 60_000;
/** Most entries kept (spaces × people in per-user mode); the oldest go first. */
const MAX_CACHED = 2_000;

/** A space as people see it: its alias and Genie's own title and description. */
export interface SpaceView extends SpaceChoice {
  readonly title: string;
  readonly description?: string;
}

/** Where a chat's questions go: a pinned team or channel, else the chat's choice (its session), else the default. */
export interface ChatSpace {
  readonly space: SpaceChoice;
  /** Pinned by GENIE_SPACE_PINS: `use` is refused. */
  readonly pinned: boolean;
}

type Lookup = { readonly kind: 'open'; readonly space: GenieSpace } | { readonly kind: 'refused' } | { readonly kind: 'failed' };

/** A short, stable tag of a chat for card buttons, so a button pressed in another chat is refused. */
export function chatTagOf(chatKey: string): string {
  return createHash('sha256').update(chatKey).digest('hex').slice(0, 16);
}

/** The team and channel ids Teams sends with an activity (a channel message carries both). */
function pinIdsOf(activity: Partial<Activity>): string[] {
  const data = activity.channelData as { team?: { id?: string }; channel?: { id?: string } } | undefined;
  return [data?.channel?.id, data?.team?.id].filter((id): id is string => typeof id === 'string' && id.length > 0);
}

/**
 * The spaces this deployment offers (GENIE_SPACES, the default first), which one a chat asks, and
 * their titles and descriptions from Genie's GET /spaces/{id}, cached briefly. In per-user mode a
 * person may use a space when that GET succeeds with their own token.
 */
export class SpaceDirectory {
  readonly spaces: readonly SpaceChoice[];
  private readonly pins: ReadonlyMap<string, SpaceChoice>;
  private readonly cache = new Map<string, { readonly lookup: Lookup; readonly until: number }>();
  private readonly clock: Clock;

  constructor(config: Pick<AppConfig, 'databricks'>, clock: Clock = systemClock) {
    this.spaces = config.databricks.spaces;
    this.clock = clock;
    const byAlias = new Map(this.spaces.map((s) => [s.alias, s]));
    this.pins = new Map(
      config.databricks.spacePins.flatMap((pin) => (byAlias.has(pin.alias) ? [[pin.chatId, byAlias.get(pin.alias)!]] : [])),
    );
  }

  get defaultSpace(): SpaceChoice {
    return this.spaces[0]!;
  }

  /** More than one space: answers name theirs, and help points to `spaces`. */
  get several(): boolean {
    return this.spaces.length > 1;
  }

  byAlias(alias: string): SpaceChoice | undefined {
    return this.spaces.find((s) => s.alias === alias);
  }

  byId(spaceId: string | undefined): SpaceChoice {
    return this.spaces.find((s) => s.spaceId === spaceId) ?? this.defaultSpace;
  }

  /** The space a pinned team or channel always uses (the channel's pin wins over its team's). */
  pinnedSpaceOf(activity: Partial<Activity>): SpaceChoice | undefined {
    for (const id of pinIdsOf(activity)) {
      const pinned = this.pins.get(id);
      if (pinned) return pinned;
    }
    return undefined;
  }

  /** The space a chat's next question goes to. */
  async spaceOf(activity: Partial<Activity>, sessions: SessionService, chatKey: string): Promise<ChatSpace> {
    const pinned = this.pinnedSpaceOf(activity);
    if (pinned) return { space: pinned, pinned: true };
    return { space: this.byId(await sessions.spaceOf(chatKey)), pinned: false };
  }

  /**
   * The space as `genie` sees it (title and description), or `refused` when Genie says it may not
   * open it (403/404), or `failed` (not cached) when Genie could not be asked. `who` keys the cache:
   * the person in per-user mode, else the service.
   */
  async lookup(space: SpaceChoice, genie: GenieClient, who: string): Promise<Lookup> {
    const key = `${who}|${space.spaceId}`;
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.lookup;
    let lookup: Lookup;
    try {
      lookup = { kind: 'open', space: await genie.inSpace(space.spaceId).getSpace() };
    } catch (error: unknown) {
      if (!(error instanceof GenieHttpError) || (error.status !== 403 && error.status !== 404)) return { kind: 'failed' };
      lookup = { kind: 'refused' };
    }
    this.cache.delete(key);
    this.cache.set(key, { lookup, until: now + SPACE_INFO_TTL_MS });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return lookup;
  }

  /** The space with Genie's title and description; its alias stands in for a title Genie could not give. */
  async view(space: SpaceChoice, genie: GenieClient, who: string): Promise<SpaceView> {
    const found = await this.lookup(space, genie, who);
    return viewOf(space, found.kind === 'open' ? found.space : undefined);
  }

  /** The spaces `who` may use, with titles: in per-user mode those Genie opens with their token, else all. */
  async usable(genie: GenieClient, who: string, perUser: boolean): Promise<SpaceView[]> {
    const found = await Promise.all(this.spaces.map(async (space) => ({ space, lookup: await this.lookup(space, genie, who) })));
    return found
      .filter(({ lookup }) => !perUser || lookup.kind === 'open')
      .map(({ space, lookup }) => viewOf(space, lookup.kind === 'open' ? lookup.space : undefined));
  }
}

function viewOf(space: SpaceChoice, info: GenieSpace | undefined): SpaceView {
  const title = info?.title?.trim() || space.alias;
  const description = info?.description?.trim();
  return { ...space, title, ...(description ? { description } : {}) };
}
