/**
 * The port through which mailbox operations reach the sync queue: the job layer (src/app)
 * implements it with BullMQ and the mailbox's deterministic job ids, so this layer never imports
 * the queue.
 */
export interface MailboxJobQueue {
  /**
   * Removes the mailbox's jobs that are waiting, delayed or kept as failed. A job a worker is
   * running cannot be removed; its id is returned in `running`.
   */
  removeJobs(mailboxId: string): Promise<{ removed: string[]; running: string[] }>;
  /** Ids of the mailbox's jobs a worker is running now. */
  runningJobs(mailboxId: string): Promise<string[]>;
  /** Queues the mailbox's mail and calendar sync (a no-op for one already queued); their ids. */
  enqueueSync(mailboxId: string): Promise<string[]>;
}
