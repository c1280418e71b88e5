/**
 * What a push may do to a mailbox: wake one of its syncs, or have its push channels looked after.
 * Both only queue a job under its deterministic deduplication id (src/app/push-waker.ts), so a
 * burst of pushes is one sync, and one arriving while the sync runs becomes its one follow-up
 * run instead of being lost (queue/job-definition.ts, `keepLastIfActive`).
 */
export interface PushWaker {
  wake(mailboxId: string, sync: 'mail' | 'calendar'): Promise<void>;
  /** Queues the mailbox's push-channel job (open, renew, reopen what is missing or due). */
  keepChannels(mailboxId: string): Promise<void>;
}

/** How one push was taken, for `mailroom_push_received_total{outcome}`. */
export type PushOutcome = 'woken' | 'ignored' | 'rejected';
