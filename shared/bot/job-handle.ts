import { type BotState, isFinished, type JobValue, type Versioned } from '../state';

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
