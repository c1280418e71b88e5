import type { Worker } from 'bullmq';
import { JOB_REGISTRY } from '../../jobs/index.ts';
import type { JobRegistry } from '../queue/job-definition.ts';
import { createSyncWorker } from '../queue/create-worker.ts';
import type { Services } from './services.ts';

/**
 * A sync worker on its own blocking connection, running the registry's jobs with the services,
 * on the shared sync queue or on the private queue `queueName` (run-sync-now.ts). Its `error`
 * events go to the process's Redis outage log.
 */
export function startSyncWorker(
  services: Services,
  registry: JobRegistry = JOB_REGISTRY,
  queueName?: string,
): Worker {
  return createSyncWorker(
    services.jobContext(),
    registry,
    services.redis('worker'),
    queueName,
    (err) => {
      services.reportQueueError(err, 'worker error');
    },
  );
}
