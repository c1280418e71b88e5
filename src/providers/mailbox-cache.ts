import { LRUCache } from 'lru-cache';

/**
 * Objects a process keeps per mailbox between jobs (OAuth clients, Graph requesters, quota
 * buckets, access tokens), bounded: past `max` mailboxes the least recently used one is dropped
 * (lru-cache), so a worker that serves many mailboxes over weeks does not grow without end.
 * Dropping an entry is always safe: it costs a token refresh or a bucket that starts anew, never
 * data.
 */
export class MailboxCache<V extends object | string | number | boolean | bigint | symbol> {
  private readonly entries: LRUCache<string, V>;
  readonly max: number;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError('a mailbox cache holds at least one entry');
    }
    this.max = max;
    this.entries = new LRUCache<string, V>({ max });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  getOrCreate(key: string, create: () => V): V {
    const cached = this.get(key);
    if (cached !== undefined) {
      return cached;
    }
    const value = create();
    this.set(key, value);
    return value;
  }
}
