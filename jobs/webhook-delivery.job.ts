import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import {
  busyDelayMs,
  deliveryJobId,
  deliveryJobSchema,
  WEBHOOK_DELIVERY,
  type DeliveryJobData,
} from '../src/webhooks/delivery-job-spec.ts';
import { deliverOnce, type DeliverDeps, type DeliveryOutcome } from '../src/webhooks/deliver.ts';

/**
 * One delivery of one event to one webhook (queue `webhooks`). The attempt is `deliverOnce`;
 * this maps its outcome onto BullMQ:
 * - delivered, or nothing to do (webhook deleted, delivery settled by a duplicate job): completes;
 * - not delivered: throws, and BullMQ retries with the job's exponential backoff and jitter;
 * - failed for good (attempts used up, 410 Gone, webhook disabled): UnrecoverableError;
 * - endpoint at its in-flight limit: back to the delayed set with `moveToDelayed` + DelayedError,
 *   which spends no attempt, so the worker slot goes to another endpoint's delivery at once
 *   (BullMQ docs, "Process step jobs" / manual delay; endpoint-slots.ts explains the limit).
 */
export const webhookDeliveryJob = {
  name: WEBHOOK_DELIVERY,
  schema: deliveryJobSchema,
  /** The job id: one job per (webhook, event, replay). */
  deduplicationId: (data: DeliveryJobData): string => deliveryJobId(data),
  handle,
};

async function handle(
  job: Job<DeliveryJobData>,
  data: DeliveryJobData,
  deps: DeliverDeps,
  token: string | undefined,
): Promise<DeliveryOutcome> {
  const outcome = await deliverOnce(deps, data.webhookId, data.eventId);
  switch (outcome.kind) {
    case 'busy':
      await job.updateData({ ...data, deferrals: data.deferrals + 1 });
      await job.moveToDelayed(
        Date.now() + busyDelayMs(data.deferrals, deps.config.timeoutMs),
        token,
      );
      throw new DelayedError();
    case 'retry':
      throw new Error(outcome.error);
    case 'failed':
      throw new UnrecoverableError(outcome.error);
    case 'delivered':
    case 'settled':
      return outcome;
  }
}
