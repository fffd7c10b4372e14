import type { GenieMessageRef } from '../genie';
import { type Clock, systemClock } from '../runtime';
import type { RecordStore, Versioned } from './record-store';

/** Which Genie conversation a chat continues. Keyed by the chat (personal chat, channel thread, group chat). */
export interface SessionValue {
  readonly spaceId: string;
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
  | { readonly kind: 'start'; readonly claimEtag: string };

export interface SessionOptions {
  readonly spaceId: string;
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

  constructor(
    private readonly store: RecordStore<SessionValue>,
    private readonly options: SessionOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.claimMs = options.claimMs ?? 60_000;
    this.waitStepMs = options.waitStepMs ?? 250;
  }

  /** The live session of a chat, if any (sessions of another space count as none). */
  async current(chatKey: string): Promise<Versioned<SessionValue> | undefined> {
    const session = await this.store.get(chatKey);
    return session && session.value.spaceId === this.options.spaceId ? session : undefined;
  }

  /**
   * The conversation a question in this chat continues, or the claim to start one. `owner`
   * identifies the asker (the job id), so a retried job finds its own claim again.
   */
  async acquire(chatKey: string, owner: string): Promise<ConversationLease> {
    const deadline = this.clock.now() + this.claimMs + this.waitStepMs;
    for (;;) {
      const now = this.clock.now();
      const record = await this.store.get(chatKey, { includeExpired: true });
      const live = record && record.expiresAt > now && record.value.spaceId === this.options.spaceId ? record : undefined;
      if (live?.value.conversationId) return { kind: 'continue', conversationId: live.value.conversationId };
      const claim = live?.value.claim;
      if (!claim || claim.by === owner || claim.until <= now) {
        if (record && !live && record.value.conversationId) await this.retire(record.value.conversationId, record.value.spaceId);
        const value: SessionValue = { spaceId: this.options.spaceId, claim: { by: owner, until: now + this.claimMs }, lastUsedAt: now };
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

  /** After Genie accepted a question: the chat now continues `ref`'s conversation, idle clock restarted. */
  async recordAsked(chatKey: string, ref: GenieMessageRef, lease?: ConversationLease): Promise<void> {
    const now = this.clock.now();
    const value: SessionValue = { spaceId: ref.spaceId, conversationId: ref.conversationId, lastMessageId: ref.messageId, lastUsedAt: now };
    const expiresAt = now + this.options.idleMs;
    if (lease?.kind === 'start' && (await this.store.replace(chatKey, value, expiresAt, lease.claimEtag)) !== undefined) return;
    await this.store.put(chatKey, value, expiresAt);
  }

  /** Gives up a claim that did not lead to a conversation (the question failed), so the chat is not blocked. */
  async release(chatKey: string, lease: ConversationLease): Promise<void> {
    if (lease.kind === 'start') await this.store.delete(chatKey, lease.claimEtag);
  }

  /** `new`/`reset`: the next question starts a new conversation; the old one is deleted by the sweep later. */
  async reset(chatKey: string): Promise<boolean> {
    const session = await this.current(chatKey);
    if (!session) return false;
    if (session.value.conversationId) await this.retire(session.value.conversationId, session.value.spaceId);
    await this.store.delete(chatKey);
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
