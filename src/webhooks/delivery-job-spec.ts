import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { PendingDelivery } from '../db/repositories/webhook-delivery.repository.ts';

/**
 * The delivery job's queue, name, data and id, shared by fan-out and replay (which queue it) and
 * `jobs/webhook-delivery.job.ts` (which runs it). Deliveries have a queue of their own, `webhooks`
 * under `MAILROOM_QUEUE_PREFIX`, so a backlog of them never waits behind mailbox syncs.
 */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_DELIVERY = 'webhook-delivery';

/** Ids only (BullMQ stores job data in clear text); the envelope is in the delivery row. */
export const deliveryJobSchema = z.object({
  webhookId: z.guid(),
  eventId: z.string().min(1),
  /** Which `webhook:replay` run queued it (0: the first delivery); part of the job id. */
  replays: z.number().int().min(0).default(0),
  /** How often the job was put back because its endpoint was at its in-flight limit. */
  deferrals: z.number().int().min(0).default(0),
});
export type DeliveryJobData = z.infer<typeof deliveryJobSchema>;

/**
 * One job id per (webhook, event, replay): queueing the same delivery twice while its job exists is
 * a no-op (at-least-once fan-out may run twice), and each `webhook:replay` gets a new one. BullMQ
 * ids may not contain `:` nor be all digits, so an event id outside `[A-Za-z0-9_.-]` is hashed.
 */
export function deliveryJobId({
  webhookId,
  eventId,
  replays,
}: Pick<PendingDelivery, 'webhookId' | 'eventId' | 'replays'>): string {
  const event = /^[A-Za-z0-9_.-]{1,100}$/.test(eventId)
    ? eventId
    : createHash('sha256').update(eventId).digest('hex').slice(0, 40);
  return `wh-${webhookId}-${event}${replays > 0 ? `-r${String(replays)}` : ''}`;
}

/**
 * Retries with exponential backoff from `MAILROOM_WEBHOOK_BACKOFF_MS` and 50 % jitter (each wait
 * is between half and all of base × 2^(n-1)), so endpoints that failed together are not retried
 * in lockstep. BullMQ's attempts equal ours; the delivery row's count decides `failed`.
 */
export function deliveryJobOptions(config: Config['webhooks']): JobsOptions {
  return {
    attempts: config.maxAttempts,
    backoff: { type: 'exponential', delay: config.backoffMs, jitter: 0.5 },
    removeOnComplete: true,
    removeOnFail: { count: 1000 },
  };
}

export function deliveryJobFor(config: Config['webhooks'], pending: PendingDelivery) {
  return {
    name: WEBHOOK_DELIVERY,
    data: {
      webhookId: pending.webhookId,
      eventId: pending.eventId,
      replays: pending.replays,
      deferrals: 0,
    } satisfies DeliveryJobData,
    opts: { ...deliveryJobOptions(config), jobId: deliveryJobId(pending) },
  };
}

/**
 * How long a delivery whose endpoint is at its in-flight limit waits before it looks again:
 * 100 ms doubling with each deferral up to one attempt's timeout (a dead endpoint frees a slot
 * no sooner than that), with 50 % jitter so the deferred jobs of one endpoint spread out instead
 * of coming back together. The wait spends no attempt.
 */
export function busyDelayMs(deferrals: number, timeoutMs: number, random = Math.random()): number {
  const base = Math.min(timeoutMs, 100 * 2 ** Math.min(deferrals, 16));
  return Math.round(base / 2 + (base / 2) * random);
}
