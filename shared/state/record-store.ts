/** A stored value with the version it was read at and when it stops counting. */
export interface Versioned<T> {
  readonly key: string;
  readonly value: T;
  /** Opaque version: pass it back to replace or delete only if nobody changed the record since. */
  readonly etag: string;
  /** Epoch ms after which the record reads as absent. */
  readonly expiresAt: number;
}

/**
 * The one async contract every kind of record (sessions, de-dup keys, jobs) is kept behind, with
 * a memory and an Azure Table implementation that share one contract test suite. Expired records
 * read as absent everywhere; conditional writes make races between instances safe.
 */
export interface RecordStore<T> {
  /** The live record, or undefined when absent or expired (unless `includeExpired`). */
  get(key: string, options?: { readonly includeExpired?: boolean }): Promise<Versioned<T> | undefined>;
  /**
   * Writes only if no live record exists (an expired one is replaced). Returns the new etag, or
   * undefined when a live record was there first: of concurrent inserts exactly one wins.
   */
  insert(key: string, value: T, expiresAt: number): Promise<string | undefined>;
  /** Writes only if the record still has `etag`. Returns the new etag, or undefined on conflict. */
  replace(key: string, value: T, expiresAt: number, etag: string): Promise<string | undefined>;
  /** Writes unconditionally. */
  put(key: string, value: T, expiresAt: number): Promise<string>;
  /** Deletes (only if still at `etag` when given). True when something was deleted. */
  delete(key: string, etag?: string): Promise<boolean>;
  /** Up to `limit` records that expired before `now`, for the sweep. */
  listExpired(now: number, limit: number): Promise<Versioned<T>[]>;
  /** Live records: exact for memory; the Table store scans, so the sweep calls it, not the hot path. */
  countLive(now: number, cap: number, excludeKeyPrefix?: string): Promise<number>;
}
