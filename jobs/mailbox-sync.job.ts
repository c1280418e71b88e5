import type { Job } from 'bullmq';
import { loadIngestTarget } from '../src/ingest/load-ingest-target.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import type { JobDefinition, JobRun } from '../src/queue/job-definition.ts';
import { watchProgress } from '../src/queue/watch-progress.ts';
import {
  loadSyncableMailbox,
  withSyncHeartbeat,
  MAILBOX_JOB_OPTIONS,
  recordMailboxFailure,
  mailboxJobSchema,
  type MailboxJobData,
} from './mailbox-job.ts';
import { markSynced, markSyncing } from '../src/db/repositories/mailbox-health.repository.ts';
import { runMailSync } from '../src/sync/mail-sync.ts';
import type { MailSyncSummary } from '../src/sync/mail-sync-summary.ts';

/**
 * Syncs one mailbox's mail: backfill until done, then incremental changes. The deduplication id
 * is the mailbox's, so however many schedulers, webhooks or CLIs ask, one sync of a mailbox runs
 * at a time (plus at most one queued after it), and whichever worker takes it resumes from the
 * checkpoint in PostgreSQL.
 */
export const MAILBOX_SYNC = 'mailbox-sync';

export type MailboxSyncData = MailboxJobData;

export type MailboxSyncResult = { skipped: string } | ({ mailboxId: string } & MailSyncSummary);

async function handle(
  _job: Job<MailboxSyncData>,
  { mailboxId }: MailboxSyncData,
  ctx: JobContext,
  run: JobRun,
): Promise<MailboxSyncResult> {
  const em = ctx.orm.em.fork();
  const mailbox = await loadSyncableMailbox(em, mailboxId);
  if ('skipped' in mailbox) {
    return mailbox;
  }
  // The source first: credentials the configured keys cannot open stop here, status untouched.
  // Every provider answer is progress for the job's watchdog.
  const source = watchProgress(ctx.sources(mailbox), run);
  const summary = await withSyncHeartbeat(ctx, mailboxId, async (aliveSeconds) => {
    await markSyncing(em, mailboxId, aliveSeconds);
    return runMailSync({
      em,
      pool: ctx.pool,
      source,
      target: await loadIngestTarget(em, mailbox.workspaceId, mailboxId),
      log: ctx.log,
      bounds: {
        days: ctx.config.sync.backfillDays || null,
        maxMessages: ctx.config.sync.backfillMaxMessages || null,
      },
      fetchConcurrency: ctx.config.sync.fetchConcurrency,
      messageRetrySeconds: ctx.config.sync.messageRetrySeconds,
      // A closing worker hands the job back at the next checkpoint (create-worker.ts).
      stop: run.stop,
      signal: run.signal,
    });
  });
  await markSynced(em, mailboxId);
  ctx.log.info({ mailboxId, summary }, 'mailbox synced');
  return { mailboxId, ...summary };
}

export const mailboxSyncJob: JobDefinition<MailboxSyncData, MailboxSyncResult> = {
  name: MAILBOX_SYNC,
  schema: mailboxJobSchema,
  deduplicationId: ({ mailboxId }) => `mailbox-sync-${mailboxId}`,
  options: MAILBOX_JOB_OPTIONS,
  handle,
  onFailure: recordMailboxFailure,
  syncKind: 'mail',
};
