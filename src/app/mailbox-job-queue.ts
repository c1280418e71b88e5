import type { Job, Queue } from 'bullmq';
import { calendarSyncJob } from '../../jobs/calendar-sync.job.ts';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { MailboxJobQueue } from '../mailboxes/mailbox-job-queue.ts';
import { enqueueMailboxSync } from './schedule-sync.ts';

/**
 * The mailbox operations' view of the sync queue. A mailbox's jobs have deterministic
 * deduplication ids (one per job kind), so finding them is a lookup, not a scan of the queue. The
 * queue is opened on first use: an operation refused before it reaches the queue (no such
 * mailbox) opens no Redis connection, and so cannot close one still in its handshake (ioredis
 * then throws from its ready check).
 */
export function mailboxJobQueue(openQueue: () => Queue, withCalendar: boolean): MailboxJobQueue {
  const jobsOf = async (mailboxId: string): Promise<Job[]> => {
    const found: Job[] = [];
    for (const def of [mailboxSyncJob, calendarSyncJob]) {
      const id = await openQueue().getDeduplicationJobId(def.deduplicationId({ mailboxId }));
      const job = id ? await openQueue().getJob(id) : undefined;
      if (job) {
        found.push(job);
      }
    }
    return found;
  };
  return {
    async removeJobs(mailboxId) {
      const removed: string[] = [];
      const stillRunning: string[] = [];
      for (const job of await jobsOf(mailboxId)) {
        const id = job.id ?? '';
        // BullMQ refuses (returns 0) for a job a worker holds the lock of; removing a job also
        // frees its deduplication id.
        if ((await openQueue().remove(id)) === 1) {
          removed.push(id);
        } else {
          stillRunning.push(id);
        }
      }
      return { removed, running: stillRunning };
    },
    async runningJobs(mailboxId) {
      const ids: string[] = [];
      for (const job of await jobsOf(mailboxId)) {
        if (await job.isActive()) {
          ids.push(job.id ?? '');
        }
      }
      return ids;
    },
    async enqueueSync(mailboxId) {
      return enqueueMailboxSync(openQueue(), mailboxId, withCalendar);
    },
  };
}
