import { createHash } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';

import type { RecordStore, Versioned } from './record-store';

interface RecordEntity {
  partitionKey: string;
  rowKey: string;
  /** The caller's key, kept because the partition key is its hash. */
  key: string;
  /** The value as compact JSON. */
  data: string;
  expiresAt: number;
}

/** An OData number literal (only numbers reach filters here, so nothing needs escaping). */
function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError('filter value must be a finite number');
  return value.toFixed(0);
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}

/** Table keys may not hold `/ \ # ?` or control characters; Teams conversation ids may. */
function partitionKeyOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Records in Azure Table Storage, shared by every instance: one entity per key, conditional writes
 * by ETag (`If-Match`) and conditional inserts (a second insert of a key gets 409 and loses).
 */
export class TableRecordStore<T> implements RecordStore<T> {
  private ready?: Promise<void>;

  constructor(
    private readonly table: TableClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the table on first use (a no-op where the deployment made it). */
  private ensureTable(): Promise<void> {
    this.ready ??= this.table.createTable().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private entity(key: string, value: T, expiresAt: number): RecordEntity {
    return { partitionKey: partitionKeyOf(key), rowKey: '', key, data: JSON.stringify(value), expiresAt };
  }

  private versioned(entity: RecordEntity & { etag: string }): Versioned<T> {
    return { key: entity.key, value: JSON.parse(entity.data) as T, etag: entity.etag, expiresAt: Number(entity.expiresAt) };
  }

  private async read(key: string): Promise<Versioned<T> | undefined> {
    await this.ensureTable();
    try {
      const entity = await this.table.getEntity<RecordEntity>(partitionKeyOf(key), '');
      return this.versioned(entity);
    } catch (error: unknown) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async get(key: string, options: { readonly includeExpired?: boolean } = {}): Promise<Versioned<T> | undefined> {
    const record = await this.read(key);
    return record && (options.includeExpired || record.expiresAt > this.now()) ? record : undefined;
  }

  async insert(key: string, value: T, expiresAt: number): Promise<string | undefined> {
    await this.ensureTable();
    try {
      const created = await this.table.createEntity(this.entity(key, value, expiresAt));
      return created.etag ?? '';
    } catch (error: unknown) {
      if (statusOf(error) !== 409) throw error;
    }
    // Taken: an expired holder may be replaced, but only at the version we saw.
    const existing = await this.read(key);
    if (!existing) return this.insert(key, value, expiresAt);
    if (existing.expiresAt > this.now()) return undefined;
    return this.replace(key, value, expiresAt, existing.etag);
  }

  async replace(key: string, value: T, expiresAt: number, etag: string): Promise<string | undefined> {
    await this.ensureTable();
    try {
      const updated = await this.table.updateEntity(this.entity(key, value, expiresAt), 'Replace', { etag });
      return updated.etag ?? '';
    } catch (error: unknown) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async put(key: string, value: T, expiresAt: number): Promise<string> {
    await this.ensureTable();
    const written = await this.table.upsertEntity(this.entity(key, value, expiresAt), 'Replace');
    return written.etag ?? '';
  }

  async delete(key: string, etag?: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.table.deleteEntity(partitionKeyOf(key), '', etag ? { etag } : {});
      return true;
    } catch (error: unknown) {
      if (statusOf(error) === 404 || statusOf(error) === 412) return false;
      throw error;
    }
  }

  async listExpired(now: number, limit: number): Promise<Versioned<T>[]> {
    await this.ensureTable();
    const found: Versioned<T>[] = [];
    const pages = this.table
      .listEntities<RecordEntity>({ queryOptions: { filter: `expiresAt le ${numberLiteral(now)}` } })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const entity of page) {
        if (found.length >= limit) return found;
        found.push(this.versioned(entity));
      }
      if (found.length >= limit) break;
    }
    return found;
  }

  async countLive(now: number, cap: number, excludeKeyPrefix?: string): Promise<number> {
    await this.ensureTable();
    let live = 0;
    const pages = this.table
      .listEntities<RecordEntity>({ queryOptions: { filter: `expiresAt gt ${numberLiteral(now)}`, select: ['key'] } })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      live += excludeKeyPrefix === undefined ? page.length : page.filter((e) => !e.key.startsWith(excludeKeyPrefix)).length;
      if (live >= cap) return cap;
    }
    return live;
  }
}
