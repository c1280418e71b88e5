import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { MailboxCache } from '../../src/providers/mailbox-cache.ts';
import { createMailboxLimiters } from '../../src/providers/mailbox-limiters.ts';
import { QuotaLimiter } from '../../src/providers/quota-limiter.ts';

describe('MailboxCache', () => {
  it('holds at most `max` mailboxes, dropping the least recently used first', () => {
    const cache = new MailboxCache<string>(2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.set('c', 'C');
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.get('c')).toBe('C');
  });

  it('creates once per key while the key is kept', () => {
    const cache = new MailboxCache<object>(3);
    let created = 0;
    const make = () => ({ n: ++created });
    const first = cache.getOrCreate('m', make);
    expect(cache.getOrCreate('m', make)).toBe(first);
    expect(created).toBe(1);
    for (let i = 0; i < 1_000; i++) {
      cache.getOrCreate(`other-${String(i)}`, make);
    }
    expect(cache.size).toBe(3);
    expect(cache.getOrCreate('m', make)).not.toBe(first);
  });

  it('refuses a size that could hold nothing', () => {
    expect(() => new MailboxCache(0)).toThrow(RangeError);
  });
});

describe('per-mailbox quota buckets outlive a job', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const sync = (env: Record<string, string>) => parseConfig(env).sync;

  it('a second job of the mailbox gets the bucket the first one drained, not a full burst', async () => {
    const limiters = createMailboxLimiters(
      sync({ MAILROOM_GMAIL_QUOTA: 'new', MAILROOM_GMAIL_QUOTA_UNITS_PER_MINUTE: '2000' }),
      10,
    );
    // Job 1 spends the whole burst (5 % of 2,000 units) and is throttled.
    const job1 = limiters.gmail('mailbox-1') as QuotaLimiter;
    await job1.acquire(100);
    // Job 2 of the same mailbox, in the same process: same bucket, so it has to wait for refill.
    const job2 = limiters.gmail('mailbox-1') as QuotaLimiter;
    expect(job2).toBe(job1);
    const waitedBefore = job2.waitedMs;
    const granted = job2.acquire(100);
    await vi.advanceTimersByTimeAsync(60_000);
    await granted;
    expect(job2.waitedMs).toBeGreaterThan(waitedBefore);
    // Another mailbox has a bucket of its own.
    expect(limiters.gmail('mailbox-2')).not.toBe(job1);
    // Calendar and Graph budgets are separate buckets, kept the same way.
    expect(limiters.googleCalendar('mailbox-1')).toBe(limiters.googleCalendar('mailbox-1'));
    expect(limiters.googleCalendar('mailbox-1')).not.toBe(job1);
    expect(limiters.graph('mailbox-1')).toBe(limiters.graph('mailbox-1'));
  });

  it('quota enforcement off means no bucket at all', () => {
    const limiters = createMailboxLimiters(
      sync({ MAILROOM_GMAIL_QUOTA: 'off', MAILROOM_GRAPH_REQUESTS_PER_WINDOW: '0' }),
      10,
    );
    // Only a counter of what is spent (the quota-used metric), which never waits.
    expect(limiters.gmail('m')).not.toBeInstanceOf(QuotaLimiter);
    expect(limiters.googleCalendar('m')).not.toBeInstanceOf(QuotaLimiter);
    expect(limiters.graph('m')).not.toBeInstanceOf(QuotaLimiter);
  });

  it('keeps buckets for a bounded number of mailboxes', () => {
    const limiters = createMailboxLimiters(sync({ MAILROOM_GMAIL_QUOTA: 'new' }), 2);
    const first = limiters.gmail('a');
    limiters.gmail('b');
    limiters.gmail('c');
    expect(limiters.gmail('a')).not.toBe(first);
  });
});
