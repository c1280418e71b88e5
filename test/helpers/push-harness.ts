import type { Queue } from 'bullmq';
import { initServices, type Services } from '../../src/app/services.ts';
import { mailboxJobQueue } from '../../src/app/mailbox-job-queue.ts';
import { startSyncWorker } from '../../src/app/sync-worker.ts';
import { disconnectMailbox } from '../../src/mailboxes/disconnect-mailbox.ts';
import { pushCloser } from '../../src/push/close-push-channels.ts';
import { enqueueMailboxSync, enqueuePushChannels } from '../../src/app/schedule-sync.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { buildEml } from './build-eml.ts';
import { silentLog } from './gmail-harness.ts';
import { freePort } from './processes.ts';

/**
 * Mailroom as a pushing provider sees it: the API listening on a real port that PUBLIC_URL names
 * (Graph's validation requests and the emulated Pub/Sub call it over HTTP), push on, polling set
 * to an hour so only a push can bring new mail in, and a worker in this process on the same queue.
 */
export interface PushHarness {
  apiUrl: string;
  config: Config;
  api: FastifyInstance;
  services: Services;
  queue: Queue;
  /** Queues what a connect queues: the first sync and the push channels. */
  connected(mailboxId: string): Promise<void>;
  /** Disconnects as the API does: push channels closed at the provider, then the grant dropped. */
  disconnect(mailboxId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startPushHarness(
  orm: Orm,
  providerEnv: Record<string, string>,
  env: Record<string, string> = {},
): Promise<PushHarness> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${String(port)}`;
  const config = parseConfig({
    ...providerEnv,
    PUBLIC_URL: apiUrl,
    PORT: String(port),
    MAILROOM_PUSH: 'on',
    MAILROOM_POLL_INTERVAL_SECONDS: '3600',
    MAILROOM_METRICS: 'off',
    ...env,
  });
  const apiServices = await initServices(config, { orm, log: silentLog });
  const api = buildApp({
    config,
    orm,
    log: silentLog,
    encryptionKey: config.encryptionKey ?? '',
    scheduleSync: () => Promise.resolve(),
    services: apiServices,
  });
  await api.listen({ port, host: '127.0.0.1' });
  const services = await initServices(config, { orm, log: silentLog, queueRole: 'worker' });
  const worker = startSyncWorker(services);
  const queue = services.syncQueue();
  return {
    apiUrl,
    config,
    api,
    services,
    queue,
    async connected(mailboxId) {
      await enqueueMailboxSync(queue, mailboxId, config.sync.calendarSync);
      await enqueuePushChannels(queue, mailboxId);
    },
    async disconnect(mailboxId) {
      await disconnectMailbox(
        {
          em: orm.em.fork(),
          jobs: mailboxJobQueue(() => queue, config.sync.calendarSync),
          closePush: pushCloser({
            em: () => orm.em.fork(),
            watches: () => services.providers().watch,
            log: silentLog,
          }),
        },
        mailboxId,
        { purge: false },
      );
    },
    async close() {
      await worker.close();
      await services.close();
      await api.close();
      await apiServices.close();
    },
  };
}

/** A new message from an external correspondent (a new domain each time), dated now. */
export function newMail(subject: string, to: string): Buffer {
  return buildEml({
    from: `Kim Lee <kim@${randomUUID().slice(0, 8)}.example>`,
    to: [to],
    subject,
    messageId: `<${randomUUID()}@example>`,
    date: new Date().toUTCString(),
  });
}
