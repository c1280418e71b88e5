import type { Job } from 'bullmq';
import { loadIngestTarget } from '../src/ingest/load-ingest-target.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import type { JobDefinition, JobRun } from '../src/queue/job-definition.ts';
import { watchProgress } from '../src/queue/watch-progress.ts';
import {
  loadSyncableMailbox,
  MAILBOX_JOB_OPTIONS,
  recordMailboxFailure,
  mailboxJobSchema,
  type MailboxJobData,
} from './mailbox-job.ts';
import { runCalendarSync, type CalendarSyncSummary } from '../src/sync/calendar-sync.ts';

/**
 * Syncs one mailbox's calendars. Its own job (id per mailbox), beside the mail job: a slow or
 * failing calendar never holds mail back, and the two checkpoint in different rows. Failures go
 * through the same retry policy (decide-retry.ts), so a revoked grant marks the mailbox once.
 */
export const CALENDAR_SYNC = 'calendar-sync';

export type CalendarSyncData = MailboxJobData;

export type CalendarSyncResult =
  { skipped: string } | ({ mailboxId: string } & CalendarSyncSummary);

async function handle(
  _job: Job<CalendarSyncData>,
  { mailboxId }: CalendarSyncData,
  ctx: JobContext,
  run: JobRun,
): Promise<CalendarSyncResult> {
  if (!ctx.config.sync.calendarSync) {
    return { skipped: 'calendar sync is off' };
  }
  const em = ctx.orm.em.fork();
  const mailbox = await loadSyncableMailbox(em, mailboxId);
  if ('skipped' in mailbox) {
    return mailbox;
  }
  const summary = await runCalendarSync({
    em,
    source: watchProgress(ctx.calendars(mailbox), run),
    target: await loadIngestTarget(em, mailbox.workspaceId, mailboxId),
    log: ctx.log,
    window: {
      pastDays: ctx.config.sync.calendarPastDays,
      futureDays: ctx.config.sync.calendarFutureDays,
    },
  });
  ctx.log.info({ mailboxId, summary }, 'calendars synced');
  return { mailboxId, ...summary };
}

export const calendarSyncJob: JobDefinition<CalendarSyncData, CalendarSyncResult> = {
  name: CALENDAR_SYNC,
  schema: mailboxJobSchema,
  deduplicationId: ({ mailboxId }) => `calendar-sync-${mailboxId}`,
  options: MAILBOX_JOB_OPTIONS,
  handle,
  onFailure: recordMailboxFailure,
  syncKind: 'calendar',
};
