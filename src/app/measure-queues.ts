import type { Queue } from 'bullmq';
import { measureQueues, type MeasuredQueue } from '../observability/queue-metrics.ts';
import type { Services } from './services.ts';

/**
 * Reports the sync, webhook and poll queues in `/metrics`. The queues are opened on the first scrape,
 * not here: a process (or a test) that never queues anything opens no connection for this.
 * Returns the function that stops reporting them (before the services close).
 */
export function measureServiceQueues(services: Services): () => void {
  return measureQueues([
    lazy('sync', () => services.syncQueue()),
    lazy('webhooks', () => services.webhookQueue()),
    lazy('poll', () => services.pollQueue()),
  ]);
}

function lazy(name: string, queue: () => Queue): MeasuredQueue {
  return {
    name,
    getJobCounts: () => queue().getJobCounts(),
    getJobs: (types, start, end, asc) => queue().getJobs(types, start, end, asc),
  };
}
