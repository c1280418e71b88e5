import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { MailboxJobQueue } from '../mailboxes/mailbox-job-queue.ts';
import { enqueueMailboxSync } from './schedule-sync.ts';

/**
 * The mailbox operations' view of the sync queue. A mailbox's jobs have deterministic ids (one
 * per job kind), so finding them is a lookup, not a scan of the queue.
 */
export function mailboxJobQueue(queue: Queue, withCalendar: boolean): MailboxJobQueue {
  const jobIds = (mailboxId: string) => [
    mailboxSyncJob.jobId({ mailboxId }),
    calendarSyncJob.jobId({ mailboxId }),
  ];
  const running = async (mailboxId: string) => {
    const ids: string[] = [];
    for (const id of jobIds(mailboxId)) {
      const job = await queue.getJob(id);
      if (job && (await job.isActive())) {
        ids.push(id);
      }
    }
    return ids;
  };
  return {
    async removeJobs(mailboxId) {
      const removed: string[] = [];
      const stillRunning: string[] = [];
      for (const id of jobIds(mailboxId)) {
        const job = await queue.getJob(id);
        if (!job) {
          continue;
        }
        // BullMQ refuses (returns 0) for a job a worker holds the lock of.
        if ((await queue.remove(id)) === 1) {
          removed.push(id);
        } else {
          stillRunning.push(id);
        }
      }
      return { removed, running: stillRunning };
    },
    runningJobs: running,
    async enqueueSync(mailboxId) {
      const ids = await enqueueMailboxSync(queue, mailboxId, withCalendar);
      return [ids.mail, ...(ids.calendar ? [ids.calendar] : [])];
    },
  };
}
