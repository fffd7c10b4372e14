import type { TokenCredential } from '@azure/identity';

import type { KeepAliveHttpClient } from '../http';
import { type Clock, systemClock } from '../runtime';
import { MemoryRecordStore } from '../state';

/** Whether a person belongs to any of the allowed groups. */
export interface GroupMembership {
  isMemberOfAny(userObjectId: string, groupIds: readonly string[]): Promise<boolean>;
}

/** Graph could not answer (unreachable, throttled, no permission): the gate fails closed. */
export class GroupCheckError extends Error {
  constructor(
    readonly code: 'graph_unreachable' | 'graph_status' | 'graph_token',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(status ? `${code} ${status}` : code, options);
    this.name = 'GroupCheckError';
  }
}

export const GRAPH_BASE_URL = 'https://graph.microsoft.com';

export interface GraphGroupMembershipOptions {
  readonly credential: TokenCredential;
  readonly http: KeepAliveHttpClient;
  /** Graph's origin (tests: a loopback fake). @default https://graph.microsoft.com */
  readonly baseUrl?: string;
  /** How long an answer is reused. @default 300000 (5 min) */
  readonly cacheTtlMs?: number;
  /** People remembered at most (least recently asked dropped first). @default 5000 */
  readonly cacheEntries?: number;
  readonly clock?: Clock;
}

/**
 * Group membership from Microsoft Graph (`POST /v1.0/users/{id}/checkMemberGroups`, transitive),
 * with the app's own identity (application permissions GroupMember.Read.All and User.Read.All).
 * Answers are cached per person for a few minutes in a bounded LRU, so a chat costs one Graph call
 * per person per few minutes, and a membership change takes effect within that time.
 */
export class GraphGroupMembership implements GroupMembership {
  private readonly baseUrl: string;
  private readonly cache: MemoryRecordStore<boolean>;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: GraphGroupMembershipOptions) {
    this.baseUrl = (options.baseUrl ?? GRAPH_BASE_URL).replace(/\/$/, '');
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.cache = new MemoryRecordStore<boolean>(options.cacheEntries ?? 5_000, this.clock);
  }

  async isMemberOfAny(userObjectId: string, groupIds: readonly string[]): Promise<boolean> {
    const key = `${userObjectId}|${groupIds.join(',')}`;
    const cached = await this.cache.get(key);
    if (cached) return cached.value;
    const member = await this.ask(userObjectId, groupIds);
    await this.cache.put(key, member, this.clock.now() + this.ttlMs);
    return member;
  }

  private async ask(userObjectId: string, groupIds: readonly string[]): Promise<boolean> {
    let token: string;
    try {
      const scope = `${new URL(this.baseUrl).origin}/.default`;
      const result = await this.options.credential.getToken(scope);
      if (!result) throw new Error('no token');
      token = result.token;
    } catch (error: unknown) {
      throw new GroupCheckError('graph_token', undefined, { cause: error });
    }
    let response: Awaited<ReturnType<KeepAliveHttpClient['request']>>;
    try {
      response = await this.options.http.request({
        method: 'POST',
        url: `${this.baseUrl}/v1.0/users/${encodeURIComponent(userObjectId)}/checkMemberGroups`,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        data: { groupIds },
      });
    } catch (error: unknown) {
      throw new GroupCheckError('graph_unreachable', undefined, { cause: error });
    }
    // An unknown user is in no group (e.g. a guest since removed).
    if (response.status === 404) return false;
    if (response.status !== 200) throw new GroupCheckError('graph_status', response.status);
    const value = (response.data as { value?: unknown } | null)?.value;
    if (!Array.isArray(value)) throw new GroupCheckError('graph_status', response.status);
    const wanted = new Set(groupIds.map((id) => id.toLowerCase()));
    return value.some((id) => typeof id === 'string' && wanted.has(id.toLowerCase()));
  }
}
