import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import {
  loadDeliveryWork,
  recordAttempts,
  type AttemptRecord,
  type DeliveryKey,
  type DeliveryWork,
} from '../db/repositories/webhook-attempt.repository.ts';

/**
 * Gathers the reads before, and the writes after, the attempts a worker has in flight into one
 * statement each (DataLoader batches whatever is asked for within a short window). A job still
 * waits for its own write to commit before it completes, so batching changes no guarantee: a
 * worker killed before the write is a job BullMQ runs again, delivered again with the same
 * webhook-id, as before.
 */
export interface DeliveryBatcher {
  load(key: DeliveryKey): Promise<DeliveryWork | null>;
  record(attempt: AttemptRecord): Promise<void>;
}

/**
 * How long a read or write waits for others to join it. Small beside an attempt (a network round
 * trip), large enough that a worker's concurrent attempts, which finish a few ms apart, share one.
 */
const WINDOW_MS = 5;
/** Bounds one statement's size (the worker's concurrency is usually below it). */
const MAX_BATCH = 200;

export function createDeliveryBatcher(em: EntityManager): DeliveryBatcher {
  const options = {
    cache: false,
    maxBatchSize: MAX_BATCH,
    batchScheduleFn: (run: () => void) => setTimeout(run, WINDOW_MS),
  } as const;
  const reads = new DataLoader<DeliveryKey, DeliveryWork | null>(
    (keys) => loadDeliveryWork(em.fork(), keys),
    options,
  );
  const writes = new DataLoader<AttemptRecord, undefined>(async (records) => {
    await recordAttempts(em.fork(), records);
    return records.map(() => undefined);
  }, options);
  return {
    load: (key) => reads.load(key),
    record: (attempt) => writes.load(attempt),
  };
}
