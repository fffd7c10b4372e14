import type { GenieMessageRef } from '../genie';
import { type Clock, systemClock } from '../runtime';
import type { RecordStore, Versioned } from './record-store';

/** Which Genie space and conversation a chat continues. Keyed by the chat (personal chat, channel thread, group chat). */
export interface SessionValue {
  /** The space the chat asks; a session of a space no longer offered counts as none (the chat is back to the default). */
  readonly spaceId: string;
  /** When the person chose the space (`use`): a question asked before then does not take the chat back to its own space. */
  readonly chosenAt?: number;
  readonly conversationId?: string;
  /** A first question being asked: other instances wait for its conversation rather than start their own. */
  readonly claim?: { readonly by: string; readonly until: number };
  /** The latest Genie message in this chat (for feedback on "the last answer"). */
  readonly lastMessageId?: string;
  readonly lastUsedAt: number;
  /** A conversation left behind by `new` or by expiry, kept only so the sweep deletes it in Genie. */
  readonly retired?: boolean;
}

export type ConversationLease =
  | { readonly kind: 'continue'; readonly conversationId: string }
  /** No conversation yet: we hold the claim and must start one, then call recordAsked. */
  | { readonly kind: 'start'; readonly claimEtag: string }
  /**
   * The chat moved to another space after this question was asked: it is answered in its own space, in
   * a conversation of its own that recordAsked retires at once (the sweep deletes it in its space).
   */
  | { readonly kind: 'once' };

/** Which space a question goes to, and when it was asked (a later choice of space wins over it). */
export interface AskedIn {
  readonly spaceId: string;
  readonly askedAt: number;
}

export interface SessionOptions {
  /** The default space: the space of a chat with no session. */
  readonly spaceId: string;
  /** Every space offered (the default included); sessions of other spaces count as none. @default [spaceId] */
  readonly spaceIds?: readonly string[];
  /** Idle time after which a chat starts a new conversation. */
  readonly idleMs: number;
  /** How long a claim to start a conversation holds before others may take over (its holder died). @default 60000 */
  readonly claimMs?: number;
  /** Pause between looks while another instance starts the chat's conversation. @default 250 */
  readonly waitStepMs?: number;
  readonly clock?: Clock;
}

const RETIRED_PREFIX = 'retired:';

/**
 * Sessions with idle expiry and at most one Genie conversation per chat across instances. The
 * first question of a chat takes a claim with a conditional insert (exactly one instance wins);
 * others wait for the winner to record the conversation. A claim whose holder died expires and is
 * taken over with an ETag-conditional replace.
 */
export class SessionService {
  private readonly clock: Clock;
  private readonly claimMs: number;
  private readonly waitStepMs: number;
  private readonly spaceIds: ReadonlySet<string>;

  constructor(
    private readonly store: RecordStore<SessionValue>,
    private readonly options: SessionOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.claimMs = options.claimMs ?? 60_000;
    this.waitStepMs = options.waitStepMs ?? 250;
    this.spaceIds = new Set([options.spaceId, ...(options.spaceIds ?? [])]);
  }

  /** The live session of a chat, if any (sessions of a space no longer offered count as none). */
  async current(chatKey: string): Promise<Versioned<SessionValue> | undefined> {
    const session = await this.store.get(chatKey);
    return session && this.spaceIds.has(session.value.spaceId) ? session : undefined;
  }

  /** The space the chat asks: its session's, else the default. */
  async spaceOf(chatKey: string): Promise<string> {
    return (await this.current(chatKey))?.value.spaceId ?? this.options.spaceId;
  }

  /**
   * The conversation a question in this chat continues, or the claim to start one. `owner`
   * identifies the asker (the job id), so a retried job finds its own claim again. A question goes
   * to the space it was asked in (default: the default space): the chat's conversation in another
   * space is never continued. If the chat moved to another space after the question was asked, the
   * question gets a conversation of its own (`once`) and the chat stays where it was moved.
   */
  async acquire(chatKey: string, owner: string, asked?: AskedIn): Promise<ConversationLease> {
    const spaceId = asked?.spaceId ?? this.options.spaceId;
    const deadline = this.clock.now() + this.claimMs + this.waitStepMs;
    for (;;) {
      const now = this.clock.now();
      const record = await this.store.get(chatKey, { includeExpired: true });
      const live = record && record.expiresAt > now && this.spaceIds.has(record.value.spaceId) ? record : undefined;
      if (live && live.value.spaceId !== spaceId && asked && (live.value.chosenAt ?? -Infinity) >= asked.askedAt) return { kind: 'once' };
      const here = live?.value.spaceId === spaceId ? live : undefined;
      if (here?.value.conversationId) return { kind: 'continue', conversationId: here.value.conversationId };
      const claim = here?.value.claim;
      if (!claim || claim.by === owner || claim.until <= now) {
        // The chat's conversation elsewhere (expired, or in a space it is leaving) is not continued: the sweep deletes it.
        if (record && record !== here && record.value.conversationId) await this.retire(record.value.conversationId, record.value.spaceId);
        const value: SessionValue = { spaceId, claim: { by: owner, until: now + this.claimMs }, lastUsedAt: now };
        const expiresAt = now + this.options.idleMs;
        const etag = record
          ? await this.store.replace(chatKey, value, expiresAt, record.etag)
          : await this.store.insert(chatKey, value, expiresAt);
        if (etag !== undefined) return { kind: 'start', claimEtag: etag };
      } else if (now >= deadline) {
        throw new Error('timed out waiting for another instance to start this chat’s Genie conversation');
      } else {
        await this.clock.sleep(this.waitStepMs);
      }
    }
  }

  /**
   * After Genie accepted a question: the chat now continues `ref`'s conversation, idle clock
   * restarted. If the chat was moved to another space meanwhile, it stays there and `ref`'s
   * conversation is retired instead.
   */
  async recordAsked(chatKey: string, ref: GenieMessageRef, lease?: ConversationLease): Promise<void> {
    if (lease?.kind === 'once') return this.retire(ref.conversationId, ref.spaceId);
    const now = this.clock.now();
    const value: SessionValue = { spaceId: ref.spaceId, conversationId: ref.conversationId, lastMessageId: ref.messageId, lastUsedAt: now };
    const expiresAt = now + this.options.idleMs;
    if (lease?.kind === 'start' && (await this.store.replace(chatKey, value, expiresAt, lease.claimEtag)) !== undefined) return;
    const session = await this.current(chatKey);
    if (session && session.value.spaceId !== ref.spaceId) return this.retire(ref.conversationId, ref.spaceId);
    await this.store.put(chatKey, value, expiresAt);
  }

  /**
   * `use <alias>`: the chat asks `spaceId` from now on, in a fresh conversation (the one it had is
   * retired, and deleted by the sweep in its own space). The choice lasts as long as the session.
   */
  async choose(chatKey: string, spaceId: string): Promise<void> {
    const session = await this.current(chatKey);
    if (session?.value.conversationId) await this.retire(session.value.conversationId, session.value.spaceId);
    const now = this.clock.now();
    await this.store.put(chatKey, { spaceId, chosenAt: now, lastUsedAt: now }, now + this.options.idleMs);
  }

  /** Gives up a claim that did not lead to a conversation (the question failed), so the chat is not blocked. */
  async release(chatKey: string, lease: ConversationLease): Promise<void> {
    if (lease.kind === 'start') await this.store.delete(chatKey, lease.claimEtag);
  }

  /**
   * `new`/`reset`: the next question starts a new conversation, in the same space; the old one is
   * deleted by the sweep later.
   */
  async reset(chatKey: string): Promise<boolean> {
    const session = await this.current(chatKey);
    if (!session) return false;
    const { spaceId, conversationId, chosenAt } = session.value;
    if (conversationId) await this.retire(conversationId, spaceId);
    if (spaceId === this.options.spaceId) {
      await this.store.delete(chatKey);
    } else {
      // The chat keeps the space it chose.
      const now = this.clock.now();
      await this.store.put(
        chatKey,
        { spaceId, lastUsedAt: now, ...(chosenAt !== undefined ? { chosenAt } : {}) },
        now + this.options.idleMs,
      );
    }
    return true;
  }

  /**
   * Keeps a left-behind conversation for one more idle period (its answers can still be rated),
   * then the sweep deletes it in Genie.
   */
  private async retire(conversationId: string, spaceId: string): Promise<void> {
    const now = this.clock.now();
    await this.store.put(
      `${RETIRED_PREFIX}${conversationId}`,
      { spaceId, conversationId, lastUsedAt: now, retired: true },
      now + this.options.idleMs,
    );
  }

  /** Chats with a live session (retired conversations not counted). */
  countActive(cap = 100_000): Promise<number> {
    return this.store.countLive(this.clock.now(), cap, RETIRED_PREFIX);
  }
}
