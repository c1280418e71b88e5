import type { Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { MailboxJobQueue } from '../mailboxes/mailbox-job-queue.ts';
import { enqueueMailboxSync } from './schedule-sync.ts';

/**
 * The mailbox operations' view of the sync queue. A mailbox's jobs have deterministic ids (one
 * per job kind), so finding them is a lookup, not a scan of the queue. The queue is opened on
 * first use: an operation refused before it reaches the queue (no such mailbox) opens no Redis
 * connection, and so cannot close one still in its handshake (ioredis then throws from its
 * ready check).
 */
export function mailboxJobQueue(openQueue: () => Queue, withCalendar: boolean): MailboxJobQueue {
  const jobIds = (mailboxId: string) => [
    mailboxSyncJob.jobId({ mailboxId }),
    calendarSyncJob.jobId({ mailboxId }),
  ];
  const running = async (mailboxId: string) => {
    const ids: string[] = [];
    for (const id of jobIds(mailboxId)) {
      const job = await openQueue().getJob(id);
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
        const job = await openQueue().getJob(id);
        if (!job) {
          continue;
        }
        // BullMQ refuses (returns 0) for a job a worker holds the lock of.
        if ((await openQueue().remove(id)) === 1) {
          removed.push(id);
        } else {
          stillRunning.push(id);
        }
      }
      return { removed, running: stillRunning };
    },
    runningJobs: running,
    async enqueueSync(mailboxId) {
      const ids = await enqueueMailboxSync(openQueue(), mailboxId, withCalendar);
      return [ids.mail, ...(ids.calendar ? [ids.calendar] : [])];
    },
  };
}
