import { type Clock, type Random, systemClock } from '../runtime';
import type { GenieClient } from './client';
import { GenieDownloadError, GenieWaitTimeoutError } from './errors';
import type { ExternalLink, GenieMessageRef, StatementResponse } from './types';

/** What identifies one download of a full result: the id to poll and the signature Genie wants back with it. */
export interface DownloadTicket {
  readonly downloadId: string;
  readonly signature: string;
}

/** One file of a finished download: a presigned URL anyone holding it may open until it expires. */
export interface DownloadLink {
  readonly url: string;
  readonly chunkIndex: number;
  readonly rowCount?: number;
  /** Epoch ms; absent when Genie named no (readable) expiration. */
  readonly expiresAt?: number;
}

/** Where a download stands after one look. */
export type DownloadState =
  | { readonly kind: 'pending'; readonly state: string }
  | {
      readonly kind: 'ready';
      /** manifest.format as Genie names it (CSV, JSON_ARRAY, ARROW_STREAM); the file format is not assumed. */
      readonly format: string;
      readonly totalRowCount?: number;
      /** In chunk order. */
      readonly links: readonly DownloadLink[];
    };

/** Statement states after which a download changes no more without succeeding. */
const FAILED_STATES: ReadonlySet<string> = new Set(['FAILED', 'CANCELED', 'CANCELLED', 'CLOSED']);

/**
 * Whether a link may be handed to a person: https, or plain http to a loopback address (the
 * emulator). Nothing else Genie might send (javascript:, data:, a plain-http host) reaches a card.
 */
export function isSafeDownloadUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/i.test(url.hostname);
}

function linkOf(link: ExternalLink, index: number): DownloadLink | undefined {
  if (!link.external_link || !isSafeDownloadUrl(link.external_link)) return undefined;
  const expiresAt = link.expiration ? Date.parse(link.expiration) : Number.NaN;
  return {
    url: link.external_link,
    chunkIndex: link.chunk_index ?? index,
    ...(link.row_count !== undefined ? { rowCount: link.row_count } : {}),
    ...(Number.isNaN(expiresAt) ? {} : { expiresAt }),
  };
}

/**
 * Reads one look at a download. PENDING, RUNNING and any state we do not know are still working;
 * FAILED, CANCELED and CLOSED throw {@link GenieDownloadError}, as does a SUCCEEDED one without a
 * usable link (every link must be https or loopback: one bad link fails the whole download rather
 * than handing out part of the rows).
 */
export function readDownload(statement: StatementResponse): DownloadState {
  const state = statement.status?.state ?? 'PENDING';
  if (FAILED_STATES.has(state)) throw new GenieDownloadError(state, statement.status?.error?.error_code);
  if (state !== 'SUCCEEDED') return { kind: 'pending', state };
  const raw = statement.result?.external_links ?? [];
  const links = raw.map(linkOf);
  if (!links.length || links.some((link) => link === undefined)) throw new GenieDownloadError('MALFORMED');
  const total = statement.manifest?.total_row_count;
  return {
    kind: 'ready',
    format: statement.manifest?.format ?? 'UNKNOWN',
    ...(total !== undefined ? { totalRowCount: total } : {}),
    links: (links as DownloadLink[]).sort((a, b) => a.chunkIndex - b.chunkIndex),
  };
}

/** How often to look at a download: preparing a file takes seconds to minutes. */
export interface DownloadSchedule {
  /** Delays between looks, the last repeated. @default [1000, 2000, 3000, 5000] */
  readonly delaysMs: readonly number[];
  /** ± share of each delay. @default 0.1 */
  readonly jitter: number;
  /** Longest wait from the request; past it the person is told it took too long. @default 120000 */
  readonly budgetMs: number;
}

export const DEFAULT_DOWNLOAD_SCHEDULE: DownloadSchedule = Object.freeze({
  delaysMs: [1_000, 2_000, 3_000, 5_000],
  jitter: 0.1,
  budgetMs: 120_000,
});

export interface DownloadOptions {
  readonly schedule?: DownloadSchedule;
  readonly clock?: Clock;
  readonly random?: Random;
}

/**
 * Asks Genie for the whole result of a query attachment and waits until its files are ready.
 * Throws {@link GenieDownloadError} when Genie fails it, {@link GenieWaitTimeoutError} past the
 * budget, and the client's typed errors for HTTP failures.
 */
export async function downloadFullResult(
  client: Pick<GenieClient, 'generateDownload' | 'getDownload'>,
  ref: GenieMessageRef,
  attachmentId: string,
  options: DownloadOptions = {},
): Promise<Extract<DownloadState, { kind: 'ready' }>> {
  const schedule = options.schedule ?? DEFAULT_DOWNLOAD_SCHEDULE;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const started = clock.now();
  const ticket = await client.generateDownload(ref, attachmentId);
  for (let look = 0; ; look++) {
    const elapsed = clock.now() - started;
    const remaining = schedule.budgetMs - elapsed;
    if (remaining <= 0) throw new GenieWaitTimeoutError(elapsed, 'PENDING');
    const base = schedule.delaysMs[Math.min(look, schedule.delaysMs.length - 1)] ?? 1_000;
    await clock.sleep(Math.min(remaining, Math.round(base * (1 + schedule.jitter * (2 * random() - 1)))));
    const state = readDownload(await client.getDownload(ref, attachmentId, ticket));
    if (state.kind === 'ready') return state;
  }
}
