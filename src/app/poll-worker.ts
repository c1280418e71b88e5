import type { Worker } from 'bullmq';
import { POLL_REGISTRY } from '../../jobs/index.ts';
import { createSyncWorker } from '../queue/create-worker.ts';
import { POLL_QUEUE } from '../queue/queues.ts';
import type { Services } from './services.ts';

/**
 * The worker of the fleet scheduler's tick (jobs/poll-mailboxes.job.ts), on the `poll` queue and
 * its own blocking connection: every worker process runs one, and whichever takes a tick queues
 * the due mailboxes' syncs on the sync queue. Its `error` events go to the Redis outage log.
 */
export function startPollWorker(services: Services): Worker {
  return createSyncWorker(
    services.jobContext(),
    POLL_REGISTRY,
    services.redis('worker'),
    POLL_QUEUE,
    (err) => {
      services.reportQueueError(err, 'poll worker error');
    },
  );
}
