import type { Clock } from '../runtime';
import { type BotState, heldByOtherForMs, isFinished, type JobValue, type Versioned } from '../state';

/** A reply older than this in state `replying` is taken to have died mid-send. */
export const REPLY_LEASE_MS = 2 * 60_000;
/** A worker's hold on a job, renewed every third of it while it works; a dead worker's job is taken over after this. */
export const WORKER_LEASE_MS = 60_000;

/** Whether a patch still makes sense on a record someone else changed in between. */
export type Recheck = (fresh: JobValue) => boolean;

/** Job updates only apply to an open job nobody else is replying to. */
export const openAndUnclaimed: Recheck = (fresh) => !isFinished(fresh.state) && fresh.state !== 'replying';

/** Updates by the holder of a worker lease apply only while the job is open and the lease still its own. */
export const leasedBy =
  (owner: string): Recheck =>
  (fresh) =>
    !isFinished(fresh.state) && fresh.worker?.by === owner;

/** Updates by the holder of a reply claim apply only while the claim is still its own. */
export const claimedBy =
  (owner: string): Recheck =>
  (fresh) =>
    fresh.state === 'replying' && fresh.replyClaim?.by === owner;

/**
 * The job as this worker sees it; updates are serialized. After an ETag conflict the fresh record
 * is re-checked, and the patch applied again only if it still makes sense there.
 */
export class JobHandle {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: BotState,
    public current: Versioned<JobValue>,
  ) {}

  get value(): JobValue {
    return this.current.value;
  }

  update(patch: Partial<Omit<JobValue, 'id'>>, recheck: Recheck = openAndUnclaimed): Promise<void> {
    const next = this.chain.then(async () => {
      const updated = (await this.state.jobs.update(this.current, patch)) ?? (await this.recheckAndApply(patch, recheck));
      if (updated) this.current = updated;
    });
    // One failed write (storage down) fails its caller, not every later update on this handle.
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async recheckAndApply(patch: Partial<Omit<JobValue, 'id'>>, recheck: Recheck): Promise<Versioned<JobValue> | undefined> {
    const fresh = await this.state.jobs.get(this.current.key);
    if (!fresh) return undefined;
    if (!recheck(fresh.value)) return fresh;
    return this.state.jobs.update(fresh, patch);
  }

  async reload(): Promise<Versioned<JobValue> | undefined> {
    await this.chain;
    const fresh = await this.state.jobs.get(this.current.key);
    if (fresh) this.current = fresh;
    return fresh;
  }
}

/** The job leased to its worker; or how long it is still someone else's; or nothing left to do. */
export type Lease =
  { readonly kind: 'mine'; readonly job: JobHandle } | { readonly kind: 'busy'; readonly forMs: number } | { readonly kind: 'done' };

/**
 * Takes the job for `owner` with a conditional write of its worker lease, unless someone else holds
 * the lease or a fresh reply claim; after an ETag conflict the job is read again and judged afresh.
 */
export async function leaseJob(state: BotState, found: Versioned<JobValue>, owner: string, clock: Clock): Promise<Lease> {
  let latest: Versioned<JobValue> | undefined = found;
  for (let look = 0; look < 3; look++) {
    if (!latest || isFinished(latest.value.state)) return { kind: 'done' };
    const now = clock.now();
    const forMs = heldByOtherForMs(latest.value, owner, now, REPLY_LEASE_MS);
    if (forMs > 0) return { kind: 'busy', forMs };
    const leased = await state.jobs.update(latest, { worker: { by: owner, until: now + WORKER_LEASE_MS } });
    if (leased) return { kind: 'mine', job: new JobHandle(state, leased) };
    latest = await state.jobs.get(found.key);
  }
  return { kind: 'busy', forMs: 0 };
}

/** Renews `owner`'s lease on the job every third of it until stopped; then lets go (best effort: it lapses anyway). */
export function keepLeased(
  job: JobHandle,
  owner: string,
  clock: Clock,
  onRenewalFailed: (error: unknown) => void,
): { stop: () => Promise<void> } {
  const renewal = setInterval(() => {
    job.update({ worker: { by: owner, until: clock.now() + WORKER_LEASE_MS } }, leasedBy(owner)).catch(onRenewalFailed);
  }, WORKER_LEASE_MS / 3);
  renewal.unref();
  return {
    stop: async () => {
      clearInterval(renewal);
      // Let go, so a retry need not wait the lease out.
      if (!isFinished(job.value.state)) await job.update({ worker: undefined }, leasedBy(owner)).catch(() => undefined);
    },
  };
}
