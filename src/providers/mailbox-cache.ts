/**
 * Objects a process keeps per mailbox between jobs (OAuth clients, Graph requesters, quota
 * buckets), bounded: past `max` mailboxes the least recently used one is dropped, so a worker
 * that serves many mailboxes over weeks does not grow without end. Dropping an entry is always
 * safe: it costs a token refresh or a bucket that starts anew, never data. A Map keeps insertion
 * order, so re-inserting on use makes its first key the least recently used.
 */
export class MailboxCache<V> {
  private readonly entries = new Map<string, V>();
  readonly max: number;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError('a mailbox cache holds at least one entry');
    }
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) {
        break;
      }
      this.entries.delete(oldest.value);
    }
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
