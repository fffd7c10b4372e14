import { createHash } from 'node:crypto';

import { type Clock, systemClock } from '../runtime';
import type { RecordStore } from '../state';

/**
 * One person's questions in the current window. Shaped like a de-dup record ({ at }) so windows
 * can live in the de-dup table and expire and be swept with it.
 */
export interface RateWindow {
  /** Epoch ms the window opened. */
  readonly at: number;
  readonly count?: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

export const RATE_WINDOW_MS = 60_000;

/** Conditional writes lost in a row before the check gives up (and the gate fails closed). */
const MAX_CONFLICTS = 5;

export class RateCheckError extends Error {
  constructor() {
    super('rate_check_contended');
    this.name = 'RateCheckError';
  }
}

/**
 * Questions per person per minute, shared by every instance: a fixed one-minute window per person
 * in a RecordStore, counted with conditional writes (insert when absent, replace at ETag), so three
 * instances do not triple the allowance. The key is a hash of the user id, never the id itself.
 */
export class UserRateLimiter {
  constructor(
    private readonly store: RecordStore<RateWindow>,
    private readonly limit: number,
    private readonly clock: Clock = systemClock,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {}

  static keyOf(userId: string): string {
    return `rate:${createHash('sha256').update(userId).digest('hex').slice(0, 32)}`;
  }

  /** Counts one question for `userId`, or says how long until the next one is allowed. */
  async take(userId: string): Promise<RateDecision> {
    const key = UserRateLimiter.keyOf(userId);
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const now = this.clock.now();
      const current = await this.store.get(key);
      if (!current) {
        if ((await this.store.insert(key, { at: now, count: 1 }, now + this.windowMs)) !== undefined) return { ok: true };
        continue;
      }
      const count = current.value.count ?? 1;
      if (count >= this.limit) return { ok: false, retryAfterMs: Math.max(0, current.expiresAt - now) };
      const replaced = await this.store.replace(key, { at: current.value.at, count: count + 1 }, current.expiresAt, current.etag);
      if (replaced !== undefined) return { ok: true };
    }
    throw new RateCheckError();
  }
}
