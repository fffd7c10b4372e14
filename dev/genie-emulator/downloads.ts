import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError, invalid, notFound } from './api-error';
import type { MaterializedTable } from './tables';
import type { ScriptedDownload } from './types';

/** Unless a script says otherwise, a download is PENDING (then RUNNING) this long, scaled like every status latency. */
const DEFAULT_PENDING_MS = 1_000;
/** Databricks' presigned result links work for minutes (the Statement Execution API says up to 15). */
export const DEFAULT_LINK_TTL_MS = 15 * 60_000;
export const DEFAULT_CHUNK_ROWS = 100_000;

/** The message attachment a download belongs to: only the same path may look at it. */
export interface DownloadOwner {
  readonly conversationId: string;
  readonly messageId: string;
  readonly attachmentId: string;
}

interface DownloadRecord {
  readonly id: string;
  readonly signature: string;
  readonly owner: DownloadOwner;
  readonly statementId: string;
  /** Captured when the download was asked for: the rows the caller may see at that moment. */
  readonly table: MaterializedTable;
  readonly script: ScriptedDownload;
  readonly createdAt: number;
  readonly readyAt: number;
}

export interface DownloadStoreOptions {
  readonly now: () => number;
  readonly timeScale: number;
  readonly linkTtlMs: number;
  readonly chunkRows: number;
}

/** One value of a CSV file (RFC 4180): quoted when it holds a comma, a quote or a line break; NULL is empty. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLines(rows: readonly (readonly (string | null)[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

/**
 * Full-result downloads (genie-api.md, "Full results"): POST .../downloads gives an id and its
 * signature; GET .../downloads/{id}?download_id_signature= is PENDING/RUNNING, then SUCCEEDED with
 * `result.external_links` to presigned files on a separate loopback server ({@link serveFile}).
 * The files are CSV (`manifest.format: "CSV"`) with a header line in each chunk; the real format is
 * UNCONFIRMED, which is why the bot reads `manifest.format` instead of assuming it.
 */
export class DownloadStore {
  private readonly downloads = new Map<string, DownloadRecord>();
  /** Signs file URLs, as cloud storage signs presigned URLs: a URL cannot be forged or have its expiry moved. */
  private readonly key = randomBytes(32);
  /** Set once the files server listens. */
  filesOrigin = '';
  served = 0;
  refused = 0;

  constructor(private readonly options: DownloadStoreOptions) {}

  clear(): void {
    this.downloads.clear();
    this.served = 0;
    this.refused = 0;
  }

  /** POST .../downloads: `{download_id, download_id_signature}`. */
  create(owner: DownloadOwner, table: MaterializedTable, script: ScriptedDownload = {}): unknown {
    const now = this.options.now();
    const id = randomBytes(16).toString('hex');
    const record: DownloadRecord = {
      id,
      signature: this.sign(`download:${id}`),
      owner,
      statementId: randomUUID(),
      table,
      script,
      createdAt: now,
      readyAt: now + (script.pendingMs ?? DEFAULT_PENDING_MS) * this.options.timeScale,
    };
    this.downloads.set(id, record);
    return { download_id: id, download_id_signature: record.signature };
  }

  /** GET .../downloads/{id}: the statement response as it stands now; fresh links (and expirations) on every look once ready. */
  get(owner: DownloadOwner, downloadId: string, signature: string | null): unknown {
    if (!signature) throw invalid('download_id_signature is required.');
    const record = this.downloads.get(downloadId);
    const sameOwner =
      record?.owner.conversationId === owner.conversationId &&
      record.owner.messageId === owner.messageId &&
      record.owner.attachmentId === owner.attachmentId;
    if (!record || !sameOwner) throw notFound('Download', downloadId);
    if (!safeEqual(signature, record.signature)) {
      throw new ApiError(403, 'The download_id_signature does not match the download.', 'PERMISSION_DENIED');
    }
    const now = this.options.now();
    const { statementId } = record;
    if (now < record.readyAt) {
      const state = now < (record.createdAt + record.readyAt) / 2 ? 'PENDING' : 'RUNNING';
      return { statement_response: { statement_id: statementId, status: { state } } };
    }
    const { error } = record.script;
    if (error) {
      return {
        statement_response: {
          statement_id: statementId,
          status: { state: 'FAILED', error: { error_code: error.type, message: error.message } },
        },
      };
    }
    return { statement_response: this.succeeded(record, now) };
  }

  /**
   * A request to the files server. Like S3 with a presigned URL: a request that also carries an
   * Authorization header is refused (400, two auth mechanisms), as are an expired link and a
   * signature that does not match (403). Anyone else holding the URL gets the file.
   */
  serveFile(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (status: number, code: string, message: string): void => {
      this.refused++;
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
      res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) }).end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'MethodNotAllowed', 'The specified method is not allowed.');
    if (req.headers.authorization !== undefined) {
      return refuse(
        400,
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      );
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/downloads\/([0-9a-f]{32})\/chunk-(\d+)\.csv$/.exec(url.pathname);
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('signature') ?? '';
    const record = match?.[1] ? this.downloads.get(match[1]) : undefined;
    const chunk = Number(match?.[2]);
    if (!record || !match || !safeEqual(signature, this.sign(`file:${record.id}/${chunk}/${expires}`))) {
      return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    if (this.options.now() > expires) return refuse(403, 'AccessDenied', 'Request has expired');
    const { chunkRows } = this.options;
    const header = csvLines([record.table.columns.map((c) => c.name)]);
    const body = Buffer.from(header + csvLines(record.table.rows.slice(chunk * chunkRows, (chunk + 1) * chunkRows)), 'utf8');
    this.served++;
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private succeeded(record: DownloadRecord, now: number): unknown {
    const { table } = record;
    const { chunkRows, linkTtlMs } = this.options;
    const count = Math.max(1, Math.ceil(table.rows.length / chunkRows));
    const chunks = Array.from({ length: count }, (_, i) => ({
      chunk_index: i,
      row_offset: i * chunkRows,
      row_count: Math.min(chunkRows, table.rows.length - i * chunkRows),
    }));
    const expires = now + linkTtlMs;
    return {
      statement_id: record.statementId,
      status: { state: 'SUCCEEDED' },
      manifest: {
        format: 'CSV',
        schema: { column_count: table.columns.length, columns: table.columns },
        total_row_count: table.rows.length,
        total_chunk_count: count,
        chunks,
        truncated: false,
      },
      result: {
        external_links: chunks.map((c) => ({
          ...c,
          external_link:
            `${this.filesOrigin}/downloads/${record.id}/chunk-${c.chunk_index}.csv` +
            `?expires=${expires}&signature=${this.sign(`file:${record.id}/${c.chunk_index}/${expires}`)}`,
          expiration: new Date(expires).toISOString(),
        })),
      },
    };
  }

  private sign(what: string): string {
    return createHmac('sha256', this.key).update(what).digest('hex');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
