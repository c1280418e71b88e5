/**
 * The worker process: runs sync jobs and keeps every mailbox polling. `npm run worker`. Add
 * processes to scale out; deterministic job ids keep one sync per mailbox however many run.
 * On SIGTERM/SIGINT it lets running jobs finish (their checkpoints are in PostgreSQL anyway).
 */
import { keepPollScheduled } from './app/keep-poll-scheduled.ts';
import { initServices } from './app/services.ts';
import { startSyncWorker } from './app/sync-worker.ts';
import { loadConfig } from './config.ts';
import { onShutdown } from './shutdown.ts';

const config = await loadConfig();
const services = await initServices(config, { name: 'mailroom-worker', queueRole: 'worker' });
const queue = services.syncQueue();
const worker = startSyncWorker(services);
await queue.waitUntilReady();
const pollSchedule = keepPollScheduled(queue, config, services.log);
await pollSchedule.ready;
services.log.info({ pollSeconds: config.sync.pollIntervalSeconds }, 'worker started');

onShutdown(services.log, async () => {
  pollSchedule.stop();
  await worker.close();
  await services.close();
});
