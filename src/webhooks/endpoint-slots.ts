import type { Redis } from 'ioredis';

/**
 * A per-endpoint in-flight limit shared by every worker process: a small semaphore in Redis, one
 * sorted set per webhook whose members are the attempts holding a slot, scored by when the hold
 * expires. Open-source BullMQ has no groups (per-key concurrency is a BullMQ Pro feature), so this
 * is what keeps one slow or dead endpoint from taking every worker slot: a delivery whose endpoint
 * is at its limit is put back in the delayed set without spending an attempt, and the worker
 * slot goes to another endpoint's delivery.
 *
 * A hold expires on its own (`holdMs`, above one attempt's timeout), so a worker SIGKILLed while
 * holding a slot frees it without anyone releasing it.
 */
// Redis's clock, not ours: every worker process compares expiries on the same clock. (A script
// may read TIME since Redis 5, which replicates a script's effects rather than the script.)
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

export class EndpointSlots {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly limit: number;
  private readonly holdMs: number;

  constructor(redis: Redis, prefix: string, limit: number, holdMs: number) {
    this.redis = redis;
    this.prefix = prefix;
    this.limit = limit;
    this.holdMs = holdMs;
  }

  private key(webhookId: string): string {
    return `${this.prefix}:webhook-inflight:${webhookId}`;
  }

  /** Takes a slot for `holder` (unique per attempt); false when the endpoint is at its limit. */
  async acquire(webhookId: string, holder: string): Promise<boolean> {
    const got = await this.redis.eval(
      ACQUIRE,
      1,
      this.key(webhookId),
      this.limit,
      this.holdMs,
      holder,
    );
    return got === 1;
  }

  async release(webhookId: string, holder: string): Promise<void> {
    await this.redis.zrem(this.key(webhookId), holder);
  }

  /** Attempts holding a slot now (expired holds included until the next acquire sweeps them). */
  async held(webhookId: string): Promise<number> {
    return this.redis.zcard(this.key(webhookId));
  }
}
