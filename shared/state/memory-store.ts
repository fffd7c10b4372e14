import { type Clock, systemClock } from '../runtime';
import type { RecordStore, Versioned } from './record-store';

interface Entry<T> {
  value: T;
  etag: string;
  expiresAt: number;
}

/** Expired entries looked at per operation: the lazy sweep's bound. */
const SWEEP_BATCH = 32;

/**
 * Expired entries stay this long before the lazy sweep drops them, so the timer sweep still sees
 * them (and deletes their Genie conversations). The entry cap bounds memory meanwhile.
 */
export const MEMORY_SWEEP_GRACE_MS = 30 * 60_000;

/**
 * Records in process memory: an LRU with a hard cap plus expiry, for a single local process.
 * Reads refresh an entry's place in the LRU order; the least recently used entry goes first when
 * the cap is reached, so memory stays bounded however many chats appear. Expired entries are
 * swept lazily a few at a time as the store is used — no timer keeps the process alive.
 */
export class MemoryRecordStore<T> implements RecordStore<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private version = 0;

  constructor(
    /** Hard cap on entries. */
    readonly maxEntries: number,
    private readonly clock: Clock = systemClock,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, options: { readonly includeExpired?: boolean } = {}): Promise<Versioned<T> | undefined> {
    const now = this.clock.now();
    const entry = this.entries.get(key);
    this.sweep(now);
    if (!entry || (entry.expiresAt <= now && !options.includeExpired)) return Promise.resolve(undefined);
    if (entry.expiresAt > now) {
      // Most recently used moves to the back of the eviction line.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return Promise.resolve(this.versioned(key, entry));
  }

  insert(key: string, value: T, expiresAt: number): Promise<string | undefined> {
    const now = this.clock.now();
    const existing = this.entries.get(key);
    if (existing && existing.expiresAt > now) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value, expiresAt, now));
  }

  replace(key: string, value: T, expiresAt: number, etag: string): Promise<string | undefined> {
    const now = this.clock.now();
    const existing = this.entries.get(key);
    if (!existing || existing.etag !== etag) return Promise.resolve(undefined);
    return Promise.resolve(this.write(key, value, expiresAt, now));
  }

  put(key: string, value: T, expiresAt: number): Promise<string> {
    return Promise.resolve(this.write(key, value, expiresAt, this.clock.now()));
  }

  delete(key: string, etag?: string): Promise<boolean> {
    const existing = this.entries.get(key);
    if (!existing || (etag !== undefined && existing.etag !== etag)) return Promise.resolve(false);
    this.entries.delete(key);
    return Promise.resolve(true);
  }

  listExpired(now: number, limit: number): Promise<Versioned<T>[]> {
    const expired: Versioned<T>[] = [];
    for (const [key, entry] of this.entries) {
      if (expired.length >= limit) break;
      if (entry.expiresAt <= now) expired.push(this.versioned(key, entry));
    }
    return Promise.resolve(expired);
  }

  countLive(now: number, cap: number, excludeKeyPrefix?: string): Promise<number> {
    let live = 0;
    for (const [key, entry] of this.entries) {
      if (excludeKeyPrefix !== undefined && key.startsWith(excludeKeyPrefix)) continue;
      if (entry.expiresAt > now && ++live >= cap) break;
    }
    return Promise.resolve(live);
  }

  private write(key: string, value: T, expiresAt: number, now: number): string {
    this.sweep(now);
    const etag = `m${++this.version}`;
    this.entries.delete(key);
    this.entries.set(key, { value, etag, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return etag;
  }

  /** Drops long-expired entries among the least recently used few: bounded work per call. */
  private sweep(now: number): void {
    let looked = 0;
    for (const [key, entry] of this.entries) {
      if (++looked > SWEEP_BATCH) break;
      if (entry.expiresAt + MEMORY_SWEEP_GRACE_MS <= now) this.entries.delete(key);
    }
  }

  private versioned(key: string, entry: Entry<T>): Versioned<T> {
    return { key, value: entry.value, etag: entry.etag, expiresAt: entry.expiresAt };
  }
}
