import { ApiError } from './api-error';

const RATE_WINDOW_MS = 60_000;

/** The workspace's question limit: a sliding 60 s window over accepted question POSTs (polling does not count). */
export class QuestionRateLimit {
  private window: number[] = [];

  /** `perMinute` undefined: no limit. */
  constructor(
    private readonly perMinute: number | undefined,
    private readonly now: () => number,
  ) {}

  /** Counts one question, or throws the API's 429 with Retry-After when the window is full. */
  admit(): void {
    if (this.perMinute === undefined) return;
    const t = this.now();
    this.window = this.window.filter((at) => at > t - RATE_WINDOW_MS);
    const oldest = this.window[0];
    if (this.window.length >= this.perMinute && oldest !== undefined) {
      const retryAfter = Math.max(1, Math.ceil((oldest + RATE_WINDOW_MS - t) / 1000));
      throw new ApiError(
        429,
        `Too many requests: this workspace allows ${this.perMinute} questions per minute. Retry after ${retryAfter} s.`,
        'RESOURCE_EXHAUSTED',
        { 'Retry-After': String(retryAfter) },
      );
    }
    this.window.push(t);
  }

  clear(): void {
    this.window = [];
  }
}
