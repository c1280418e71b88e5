import { Worker, type Job } from 'bullmq';
import { webhookDeliveryJob } from '../../jobs/webhook-delivery.job.ts';
import { failDelivery } from '../db/repositories/webhook-delivery.repository.ts';
import { createGuardedFetch } from '../security/egress-guard.ts';
import type { DeliverDeps } from '../webhooks/deliver.ts';
import { WEBHOOK_QUEUE, type DeliveryJobData } from '../webhooks/delivery-job-spec.ts';
import { createDeliveryBatcher } from '../webhooks/delivery-batcher.ts';
import { EndpointSlots } from '../webhooks/endpoint-slots.ts';
import { openedSecrets } from '../webhooks/opened-secrets.ts';
import type { Services } from './services.ts';

/**
 * The webhook delivery worker, in `npm run worker` beside the sync worker, on the `webhooks`
 * queue. `MAILROOM_WEBHOOK_CONCURRENCY` deliveries run at once per process, at most
 * `MAILROOM_WEBHOOK_ENDPOINT_CONCURRENCY` of them to any one webhook across all processes
 * (endpoint-slots.ts): a dead endpoint holds that many slots for a timeout each, never all.
 */
export interface WebhookWorker {
  worker: Worker;
  close(): Promise<void>;
}

export function startWebhookWorker(services: Services): WebhookWorker {
  const { config } = services;
  const wh = config.webhooks;
  const http = createGuardedFetch({ policy: wh.egress, timeoutMs: wh.timeoutMs });
  // A hold outlives one attempt (bounded by the timeout) with room for a slow Redis round trip;
  // a SIGKILLed worker's hold lapses after this long.
  const holdMs = wh.timeoutMs + 5_000;
  const deps: DeliverDeps = {
    em: services.orm.em,
    store: createDeliveryBatcher(services.orm.em),
    openSecret: openedSecrets(() => services.secretBox()),
    http,
    slots: new EndpointSlots(
      services.redis('worker'),
      config.sync.queuePrefix,
      wh.endpointConcurrency,
      holdMs,
    ),
    config: wh,
  };
  const processor = async (job: Job<DeliveryJobData>, token: string | undefined) => {
    const data = webhookDeliveryJob.schema.parse(job.data);
    return webhookDeliveryJob.handle(job, data, deps, token);
  };
  const worker = new Worker<DeliveryJobData>(WEBHOOK_QUEUE, processor, {
    connection: services.redis('worker'),
    prefix: config.sync.queuePrefix,
    concurrency: wh.concurrency,
    // Renewed while an attempt runs; a job whose worker died goes back to the queue once it
    // lapses and is delivered again with the same webhook-id (at least once).
    lockDuration: Math.max(10_000, wh.timeoutMs * 2),
    stalledInterval: Math.max(10_000, wh.timeoutMs * 2),
    maxStalledCount: 5,
  });
  worker.on('error', (err) => {
    services.reportQueueError(err, 'webhook worker error');
  });
  worker.on('failed', (job, err) => {
    // BullMQ gave the job up without the delivery settling: its workers kept dying (more than
    // maxStalledCount, the processor never ran) or it threw something other than an attempt's
    // outcome on every try (a secret no configured key opens). Settle it `failed` (replayable)
    // rather than `retrying` for ever; a delivery already settled is left as it is.
    const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
    if (job?.deferredFailure || final) {
      const why = job.deferredFailure
        ? `its worker stopped while delivering it too often (${err.message})`
        : err.message;
      void failDelivery(services.orm.em.fork(), job.data.webhookId, job.data.eventId, why).catch(
        (e: unknown) => {
          services.log.error({ err: e, jobId: job.id }, 'failed webhook delivery not recorded');
        },
      );
    }
    services.log.warn(
      {
        jobId: job?.id,
        webhookId: job?.data.webhookId,
        eventId: job?.data.eventId,
        error: err.message,
      },
      'webhook delivery attempt failed',
    );
  });
  return {
    worker,
    async close() {
      await worker.close();
      await http.close();
    },
  };
}
