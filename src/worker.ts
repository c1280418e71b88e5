/**
 * The worker process: runs sync jobs and keeps every mailbox polling. `npm run worker`. Add
 * processes to scale out; deterministic job ids keep one sync per mailbox however many run.
 * On SIGTERM/SIGINT it lets running jobs finish (their checkpoints are in PostgreSQL anyway).
 */
import { loadConfig } from './config.ts';
import { initORM } from './db/orm.ts';
import { createLogger } from './logger.ts';
import { onShutdown } from './shutdown.ts';
import { pollMailboxesJob } from '../jobs/poll-mailboxes.job.ts';
import { startSyncRuntime } from './app/services.ts';

const config = await loadConfig();
const log = createLogger(config.logLevel, 'mailroom-worker');
const orm = await initORM(config.db.url);
const runtime = await startSyncRuntime(config, orm, log, { worker: true });
runtime.ctx.syncQueue.on('error', (err) => {
  log.error({ err }, 'queue error');
});
await runtime.ctx.syncQueue.upsertJobScheduler(
  pollMailboxesJob.name,
  { every: config.sync.pollIntervalSeconds * 1000 },
  { name: pollMailboxesJob.name, data: {}, opts: pollMailboxesJob.options },
);
log.info({ pollSeconds: config.sync.pollIntervalSeconds }, 'worker started');

onShutdown(log, async () => {
  await runtime.close();
  await orm.close(true);
});
