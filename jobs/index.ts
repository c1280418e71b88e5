import { buildJobRegistry, type JobDefinition } from '../src/queue/job-definition.ts';
import { calendarSyncJob } from './calendar-sync.job.ts';
import { mailboxSyncJob } from './mailbox-sync.job.ts';
import { pollMailboxesJob } from './poll-mailboxes.job.ts';
import { checkPushJob } from './check-push.job.ts';
import { mailboxPushJob } from './mailbox-push.job.ts';

/** Every job the sync queue holds. Start-up fails on a duplicate or handler-less entry. */
export const JOB_DEFINITIONS = [
  mailboxSyncJob,
  calendarSyncJob,
  mailboxPushJob,
] as unknown as readonly JobDefinition<never>[];

export const JOB_REGISTRY = buildJobRegistry(JOB_DEFINITIONS);

/**
 * The scheduled ticks (the fleet scheduler's, the push check's) run on the `poll` queue
 * (src/app/poll-worker.ts, keep-poll-scheduled.ts), so they never wait behind the jobs they queue.
 */
export const POLL_REGISTRY = buildJobRegistry([
  pollMailboxesJob,
  checkPushJob,
] as unknown as readonly JobDefinition<never>[]);

/**
 * Webhook deliveries run on their own queue (`webhooks`) with their own worker
 * (src/app/webhook-worker.ts): its handler needs the delivery dependencies (guarded fetch,
 * endpoint slots), not the sync JobContext, and its retry policy is the delivery's own.
 */
export { webhookDeliveryJob } from './webhook-delivery.job.ts';
