import { buildJobRegistry, type JobDefinition } from '../src/queue/job-definition.ts';
import { calendarSyncJob } from './calendar-sync.job.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';
import { pollMailboxesJob } from './poll-mailboxes.job.ts';
import { checkPushJob } from './check-push.job.ts';
import { mailboxPushJob } from './mailbox-push.job.ts';

/** Every job the workers run. Start-up fails on a duplicate or handler-less entry. */
export const JOB_DEFINITIONS = [
  mailboxSyncJob,
  calendarSyncJob,
  pollMailboxesJob,
  mailboxPushJob,
  checkPushJob,
] as unknown as readonly JobDefinition<never>[];

export const JOB_REGISTRY = buildJobRegistry(JOB_DEFINITIONS);

/**
 * Webhook deliveries run on their own queue (`webhooks`) with their own worker
 * (src/app/webhook-worker.ts): its handler needs the delivery dependencies (guarded fetch,
 * endpoint slots), not the sync JobContext, and its retry policy is the delivery's own.
 */
export { webhookDeliveryJob } from './webhook-delivery.job.ts';
