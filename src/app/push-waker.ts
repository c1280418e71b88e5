import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { jobOptionsFor } from '../queue/job-definition.ts';
import type { PushWaker } from '../push/push-waker.ts';
import { enqueuePushChannels } from './schedule-sync.ts';

/** The push routes' PushWaker over the sync queue: every wake-up is a deduplicated job. */
export function queuePushWaker(queue: () => Promise<Queue>): PushWaker {
  return {
    async wake(mailboxId, sync) {
      const job = sync === 'calendar' ? calendarSyncJob : mailboxSyncJob;
      const data = { mailboxId };
      await (await queue()).add(job.name, data, jobOptionsFor(job, data));
    },
    async keepChannels(mailboxId) {
      await enqueuePushChannels(await queue(), mailboxId);
    },
  };
}
