import type { Job } from 'bullmq';
import { markReauthRequired } from '../src/db/repositories/mailbox-health.repository.ts';
import { keepPushChannels, type PushChannelSummary } from '../src/push/keep-push-channels.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import type { JobDefinition, JobFailure } from '../src/queue/job-definition.ts';
import { closePushChannels } from '../src/push/close-push-channels.ts';
import {
  loadSyncableMailbox,
  MAILBOX_JOB_OPTIONS,
  mailboxJobSchema,
  type MailboxJobData,
} from './mailbox-job.ts';

/**
 * Keeps one mailbox's push channels (its Gmail watch, its Graph subscriptions) open and renewed
 * (src/push/keep-push-channels.ts). Queued when the mailbox connects, by the push check for a
 * mailbox whose channels are missing or due, and by a Graph lifecycle event. A mailbox that can no
 * longer sync has its channels closed. Push off for the provider: nothing to do (polling is on
 * anyway).
 */
export const MAILBOX_PUSH = 'mailbox-push';

export type MailboxPushResult = { skipped: string } | ({ mailboxId: string } & PushChannelSummary);

async function handle(
  _job: Job<MailboxJobData>,
  { mailboxId }: MailboxJobData,
  ctx: JobContext,
): Promise<MailboxPushResult> {
  const em = ctx.orm.em.fork();
  const mailbox = await loadSyncableMailbox(em, mailboxId);
  if ('skipped' in mailbox) {
    return mailbox;
  }
  const watch = ctx.watches(mailbox);
  if (watch === null) {
    // Push was turned off since: what is still open is closed (it would only wake syncs).
    await closePushChannels(em, null, mailboxId, ctx.log);
    return { skipped: `push is off for ${mailbox.provider}` };
  }
  const summary = await keepPushChannels(em, watch, mailboxId);
  if (summary.opened.length + summary.renewed.length + summary.closed.length > 0) {
    ctx.log.info({ mailboxId, ...summary }, 'push channels kept');
  }
  return { mailboxId, ...summary };
}

/**
 * Only a revoked grant is the mailbox's news (the owner must reconnect); any other failure to
 * open a channel (PUBLIC_URL not reachable for Graph's validation request, a topic Gmail may not
 * publish to) leaves the mailbox syncing by polling, and the push check tries again later.
 */
async function onFailure(
  { mailboxId }: MailboxJobData,
  { decision, message }: JobFailure,
  ctx: JobContext,
): Promise<void> {
  if (decision.action === 'reauth') {
    await markReauthRequired(ctx.orm.em.fork(), mailboxId, message);
  }
}

export const mailboxPushJob: JobDefinition<MailboxJobData, MailboxPushResult> = {
  name: MAILBOX_PUSH,
  schema: mailboxJobSchema,
  deduplicationId: ({ mailboxId }) => `mailbox-push-${mailboxId}`,
  options: { ...MAILBOX_JOB_OPTIONS, attempts: 3 },
  handle,
  onFailure,
};
