/**
 * A group-commit writer: callers submit items and wait; one flush at a time writes everything
 * queued so far (at most `maxBatch`) with one `write` call (one transaction), and the next flush
 * starts as soon as it ends. Under load a flush carries many items, so the cost of a commit is
 * shared; alone, an item is written at once (no timer to wait for).
 *
 * Each `submit` resolves when its batch was written, so a caller answering after it answers
 * durably; it rejects only with its own item's error. A batch that fails is written again item by
 * item, so one bad item (its token deleted meanwhile, a constraint) cannot lose the others.
 */
export interface GroupCommit<T> {
  submit(item: T): Promise<void>;
  /** Resolves once everything submitted so far has been written (or has failed). */
  drain(): Promise<void>;
}

export interface GroupCommitOptions<T> {
  /** Writes the items in one transaction, all or none. */
  write(items: readonly T[]): Promise<void>;
  /** Most items per flush: bounds a transaction's size and its locks' hold time. */
  maxBatch: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit<T>(options: GroupCommitOptions<T>): GroupCommit<T> {
  const queue: Pending<T>[] = [];
  let flushing: Promise<void> | null = null;

  const writeBatch = async (batch: Pending<T>[]): Promise<void> => {
    try {
      await options.write(batch.map((p) => p.item));
      for (const p of batch) {
        p.resolve();
      }
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
    }
    // The batch rolled back as a whole: find the item(s) at fault by writing each alone.
    for (const p of batch) {
      try {
        await options.write([p.item]);
        p.resolve();
      } catch (err) {
        p.reject(err);
      }
    }
  };

  const flushAll = async (): Promise<void> => {
    while (queue.length > 0) {
      await writeBatch(queue.splice(0, options.maxBatch));
    }
    flushing = null;
  };

  return {
    submit(item) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        // Started on the next turn, so the requests of this turn join the first batch.
        flushing ??= new Promise<void>((started) => setImmediate(started)).then(flushAll);
      });
    },
    async drain() {
      while (flushing !== null) {
        await flushing;
      }
    },
  };
}
