/**
 * A token bucket in provider quota units per minute, per mailbox. Gmail meters quota per user over
 * a sliding minute (provider-apis.md §A.9); refilling at `headroom` × the ceiling keeps a backfill
 * just under it instead of colliding with it and burning time on 403s. The burst the bucket allows
 * comes out of the remaining headroom (burst + one window of refill ≤ the ceiling), otherwise a
 * full bucket plus a minute of refill overspends the window. Sync of one mailbox runs one job at
 * a time, so the bucket lives with that job.
 */
export interface QuotaLimiterOptions {
  /** The provider's budget per window (Gmail: units per user per minute). */
  unitsPerWindow: number;
  windowMs?: number;
  headroom?: number;
}

export class QuotaLimiter {
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  waitedMs = 0;

  constructor(options: QuotaLimiterOptions) {
    const headroom = options.headroom ?? 0.95;
    this.ratePerMs = (options.unitsPerWindow * headroom) / (options.windowMs ?? 60_000);
    this.capacity = Math.max(1, options.unitsPerWindow * (1 - headroom));
    this.tokens = this.capacity;
  }

  /** Resolves when `units` may be spent; callers are served in order. */
  acquire(units: number): Promise<void> {
    const turn = this.chain.then(() => this.take(units));
    this.chain = turn;
    return turn;
  }

  private async take(units: number): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.ratePerMs);
      this.last = now;
      if (this.tokens >= units || this.tokens >= this.capacity) {
        this.tokens -= units;
        return;
      }
      const wait = Math.ceil((units - this.tokens) / this.ratePerMs);
      this.waitedMs += wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** No limit (quota enforcement off). */
export const UNLIMITED = { acquire: (): Promise<void> => Promise.resolve() };
export type Limiter = Pick<QuotaLimiter, 'acquire'>;
