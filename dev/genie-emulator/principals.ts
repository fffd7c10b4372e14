import { ApiError } from './api-error';
import type { MaterializedTable } from './tables';

/**
 * A person the emulator knows by their own token (the bot's GENIE_IDENTITY=user), with Unity
 * Catalog-like row filter: e.g. each demo user sees only their region's rows.
 */
export interface EmulatorUser {
  /** The bearer token that identifies this person (several entries may name one person: a refreshed token). */
  readonly token: string;
  readonly name: string;
  /** Only rows whose `column` equals `equals` are returned to this person. */
  readonly rowFilter?: { readonly column: string; readonly equals: string };
  /** The spaces this person may open (CAN VIEW); others answer 403. @default every space */
  readonly spaces?: readonly string[];
}

/** Who is calling: the service identity (static or OAuth M2M token) or a person. */
export type Caller = { readonly kind: 'service' } | { readonly kind: 'user'; readonly user: EmulatorUser };

export const SERVICE_CALLER: Caller = { kind: 'service' };

export function ownerOf(caller: Caller): string {
  return caller.kind === 'user' ? `user:${caller.user.name}` : 'service';
}

/** As Genie does: a conversation is its creator's; anyone else is refused. */
export function requireOwner(owner: string, caller: Caller): void {
  if (owner !== ownerOf(caller)) {
    throw new ApiError(403, 'You do not have permission to access this conversation.', 'PERMISSION_DENIED');
  }
}

/** As Genie does: a space the person has no permission on is refused. */
export function requireSpaceAccess(spaceId: string, caller: Caller): void {
  if (caller.kind === 'user' && caller.user.spaces && !caller.user.spaces.includes(spaceId)) {
    throw new ApiError(403, `You do not have permission to access Genie space ${spaceId}.`, 'PERMISSION_DENIED');
  }
}

/** The table as `caller` may see it (row filter applied; the service sees everything). */
export function filterRows(table: MaterializedTable, caller: Caller): MaterializedTable {
  const filter = caller.kind === 'user' ? caller.user.rowFilter : undefined;
  if (!filter) return table;
  const index = table.columns.findIndex((c) => c.name === filter.column);
  if (index < 0) return table;
  const rows = table.rows.filter((row) => row[index] === filter.equals);
  return { ...table, rows, totalRowCount: rows.length, truncated: false };
}
