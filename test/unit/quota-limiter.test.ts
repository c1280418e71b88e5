import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuotaLimiter } from '../../src/providers/quota-limiter.ts';

describe('QuotaLimiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never spends more than the budget in any window, and keeps near it', async () => {
    const limiter = new QuotaLimiter({ unitsPerWindow: 1_000, windowMs: 10_000 });
    const grants: number[] = [];
    const state = { stop: false };
    const loop = (async () => {
      while (!state.stop) {
        await limiter.acquire(20);
        grants.push(Date.now());
      }
    })();
    await vi.advanceTimersByTimeAsync(60_000);
    state.stop = true;
    await vi.advanceTimersByTimeAsync(1_000);
    await loop;
    // Sliding 10 s windows over the first minute: never above 1,000 units (50 calls of 20).
    for (let start = 0; start <= 50_000; start += 500) {
      const inWindow = grants.filter((t) => t >= start && t < start + 10_000).length;
      expect(inWindow * 20).toBeLessThanOrEqual(1_000);
    }
    // …and close to it: 95 % of the budget per window once the burst is spent.
    const lastWindow = grants.filter((t) => t >= 50_000 && t < 60_000).length * 20;
    expect(lastWindow).toBeGreaterThanOrEqual(900);
  });

  it('serves callers in order', async () => {
    const limiter = new QuotaLimiter({ unitsPerWindow: 100, windowMs: 1_000 });
    const order: number[] = [];
    const calls = [1, 2, 3, 4].map((i) => limiter.acquire(30).then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(calls);
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
