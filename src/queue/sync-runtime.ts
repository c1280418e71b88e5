import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { requireEncryptionKey } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import type { Logger } from '../logger.ts';
import { createParsePool } from '../mail/create-parse-pool.ts';
import { createMailSourceFactory } from '../providers/registry.ts';
import { SecretBox } from '../security/secret-box.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { JobContext } from './job-context.ts';
import { createRedis, createSyncQueue } from './queues.ts';
import { createSyncWorker } from './create-worker.ts';
import type { Worker } from 'bullmq';

/** The composition root for sync: queue, parser pool, provider factory and a worker. */
export interface SyncRuntime {
  ctx: JobContext;
  worker: Worker | null;
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
  const ctx: JobContext = {
    config,
    orm,
    log,
    pool,
    sources: createMailSourceFactory(config, box, orm.em.fork()),
    syncQueue,
  };
  const workerConnection = options.worker ? createRedis(config, 'worker') : null;
  const worker = workerConnection ? createSyncWorker(ctx, workerConnection) : null;
  await syncQueue.waitUntilReady();
  return {
    ctx,
    worker,
    async close() {
      await worker?.close();
      await syncQueue.close();
      await pool.close();
      queueConnection.disconnect();
      workerConnection?.disconnect();
    },
  };
}

/** Queues a mailbox's sync under its deterministic id (a no-op if one is queued or running). */
export async function enqueueMailboxSync(queue: Queue, mailboxId: string): Promise<string> {
  const data = { mailboxId };
  const jobId = mailboxSyncJob.jobId(data);
  await queue.add(mailboxSyncJob.name, data, { ...mailboxSyncJob.options, jobId });
  return jobId;
}
