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
  /** Told the units of each grant, once granted (the quota-used metric). */
  onTaken?: (units: number) => void;
}

export class QuotaLimiter {
  private readonly ratePerMs: number;
  private readonly capacity: number;
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private readonly onTaken: ((units: number) => void) | undefined;
  waitedMs = 0;

  constructor(options: QuotaLimiterOptions) {
    this.onTaken = options.onTaken;
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
        this.onTaken?.(units);
        return;
      }
      const wait = Math.ceil((units - this.tokens) / this.ratePerMs);
      this.waitedMs += wait;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export type Limiter = Pick<QuotaLimiter, 'acquire'>;

/** No limit (quota enforcement off). */
export const UNLIMITED: Limiter = { acquire: (): Promise<void> => Promise.resolve() };

/** No limit, but every grant told to `onTaken`: what is spent is still counted. */
export function unlimited(onTaken: (units: number) => void): Limiter {
  return {
    acquire: (units) => {
      onTaken(units);
      return Promise.resolve();
    },
  };
}
