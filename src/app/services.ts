import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { requireEncryptionKey } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import { createParsePool } from '../mail/create-parse-pool.ts';
import { createProviderFactories } from '../providers/registry.ts';
import { SecretBox } from '../security/secret-box.ts';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { JobContext } from '../queue/job-context.ts';
import { createRedis, createSyncQueue } from '../queue/queues.ts';
import { createSyncWorker } from '../queue/create-worker.ts';
import type { Worker } from 'bullmq';

/** The composition root for sync: queue, parser pool, provider factory and a worker. */
export interface SyncRuntime {
  ctx: JobContext;
  worker: Worker | null;
  /** Starts the worker now (for callers that must hold their jobs before any can finish). */
  startWorker(): void;
  close(): Promise<void>;
}

export async function startSyncRuntime(
  config: Config,
  orm: Orm,
  log: Logger,
  options: { worker: boolean },
): Promise<SyncRuntime> {
  const box = new SecretBox(requireEncryptionKey(config));
  const queueConnection = createRedis(config, 'worker');
  const syncQueue = createSyncQueue(config, queueConnection);
  const pool = createParsePool(config);
  const providers = createProviderFactories(config, box, orm.em.fork());
  const ctx: JobContext = {
    config,
    orm,
    log,
    pool,
    sources: providers.mail,
    calendars: providers.calendar,
    syncQueue,
  };
  let workerConnection: ReturnType<typeof createRedis> | null = null;
  const runtime: SyncRuntime = {
    ctx,
    worker: null,
    startWorker() {
      if (!runtime.worker) {
        workerConnection = createRedis(config, 'worker');
        runtime.worker = createSyncWorker(ctx, workerConnection);
      }
    },
    async close() {
      await runtime.worker?.close();
      await syncQueue.close();
      await pool.close();
      queueConnection.disconnect();
      workerConnection?.disconnect();
    },
  };
  if (options.worker) {
    runtime.startWorker();
  }
  await syncQueue.waitUntilReady();
  return runtime;
}

/**
 * Queues a mailbox's mail sync and (unless turned off) its calendar sync under their deterministic
 * ids: a no-op for one already queued or running.
 */
export async function enqueueMailboxSync(
  queue: Queue,
  mailboxId: string,
  withCalendar: boolean,
): Promise<{ mail: string; calendar: string | null }> {
  const data = { mailboxId };
  const mail = mailboxSyncJob.jobId(data);
  await queue.add(mailboxSyncJob.name, data, { ...mailboxSyncJob.options, jobId: mail });
  if (!withCalendar) {
    return { mail, calendar: null };
  }
  const calendar = calendarSyncJob.jobId(data);
  await queue.add(calendarSyncJob.name, data, { ...calendarSyncJob.options, jobId: calendar });
  return { mail, calendar };
}
