/**
 * A token bucket in provider quota units per minute, per mailbox. Gmail meters quota per user per
 * minute (provider-apis.md §A.9); spending at `headroom` × the ceiling keeps a backfill just under
 * it instead of colliding with it and burning time on 403s. `burstSeconds` of budget may be spent
 * at once, then calls wait their turn. Sync of one mailbox runs one job at a time, so the bucket
 * lives with that job.
 */
export interface QuotaLimiterOptions {
  unitsPerMinute: number;
  headroom?: number;
  burstSeconds?: number;
}

export class QuotaLimiter {
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  waitedMs = 0;

  constructor(options: QuotaLimiterOptions) {
    this.ratePerMs = (options.unitsPerMinute * (options.headroom ?? 0.95)) / 60_000;
    this.capacity = this.ratePerMs * 1000 * (options.burstSeconds ?? 1);
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
