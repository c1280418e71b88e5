import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger.ts';
import { recordSharedQuotaUnavailable } from '../observability/metrics.ts';
import type { Limiter } from './quota-limiter.ts';

/**
 * A provider budget shared by every worker process through Redis: Gmail units of one Google Cloud
 * project, Calendar requests of the same project, Graph requests of one Microsoft app
 * (provider-apis.md §A.9, §B.5, §D.4). The per-mailbox buckets (mailbox-limiters.ts) keep each
 * user under its own quota; this keeps the fleet under the project's or app's, which no single
 * process can see.
 *
 * rate-limiter-flexible's Redis counter is a fixed window; the window here is one second of the
 * budget (`unitsPerWindow × headroom` spread over the provider's window), so any run of windows
 * the provider's sliding window covers stays under its ceiling, and a burst at a window's edge is
 * at most two seconds' worth, not two minutes'.
 *
 * Redis is not allowed to stop a sync: when it does not answer (down, or slower than the
 * connection's command timeout), the call goes ahead on its per-mailbox limit alone, with one
 * warning per outage and a metric per call.
 */
export interface SharedBudget {
  /** What the budget is, for logs and metrics (`gmail`, `google-calendar`, `graph`). */
  name: string;
  /** The Redis key that every process sharing it uses (prefix, vendor, client id, budget). */
  key: string;
  unitsPerWindow: number;
  windowMs: number;
  /** Share of the ceiling spent at most (the provider's own counters differ from ours). */
  headroom?: number;
  /** The counter's fixed window, in whole seconds (1 unless a test needs a longer one). */
  sliceSeconds?: number;
}

const FIRST_CONNECT_WAIT_MS = 1_000;

export class SharedQuotaLimiter implements Limiter {
  private readonly limiter: RateLimiterRedis;
  private readonly budget: SharedBudget;
  private readonly log: Logger;
  private readonly points: number;
  private unavailable = false;
  /** Settles once the connection first came up, or gave up on that (see the constructor). */
  private readonly connected: Promise<void>;
  waitedMs = 0;

  constructor(redis: Redis, budget: SharedBudget, log: Logger) {
    this.budget = budget;
    this.log = log;
    const slice = budget.sliceSeconds ?? 1;
    const perSlice =
      (budget.unitsPerWindow * (budget.headroom ?? 0.95) * slice * 1000) / budget.windowMs;
    this.points = Math.max(1, Math.floor(perSlice));
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: budget.key,
      points: this.points,
      duration: slice,
      // A connection that is down answers at once instead of queueing the command.
      rejectIfRedisNotReady: true,
    });
    // The first calls of a process may come before its connection is up: they wait for it (a
    // second at most), instead of each start-up reporting an outage that is not one.
    this.connected =
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise((resolve) => {
            const timer = setTimeout(resolve, FIRST_CONNECT_WAIT_MS);
            timer.unref();
            redis.once('ready', () => {
              clearTimeout(timer);
              resolve();
            });
          });
  }

  /** Resolves when `units` may be spent fleet-wide, or at once when Redis does not answer. */
  async acquire(units: number): Promise<void> {
    // One call never costs more than a window holds (it would wait for ever otherwise).
    const cost = Math.max(1, Math.min(Math.ceil(units), this.points));
    await this.connected;
    for (;;) {
      try {
        await this.limiter.consume('all', cost);
        this.answered();
        return;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) {
          this.notAnswered(err);
          return;
        }
        // Over budget this window: wait for the next one. The refused points were counted in
        // this window only, which ends at `msBeforeNext`.
        const wait = Math.max(1, err.msBeforeNext);
        this.waitedMs += wait;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private answered(): void {
    if (this.unavailable) {
      this.unavailable = false;
      this.log.info({ budget: this.budget.name }, 'shared quota answers again');
    }
  }

  private notAnswered(err: unknown): void {
    recordSharedQuotaUnavailable(this.budget.name);
    if (!this.unavailable) {
      this.unavailable = true;
      this.log.warn(
        { budget: this.budget.name, err },
        'shared quota unavailable (Redis did not answer); provider calls are limited per mailbox only until it answers',
      );
    }
  }
}
