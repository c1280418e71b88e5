/**
 * Mailbox status transitions the job layer owns; their SQL lives in the mailbox-health repository.
 * This module stays as the queue's entry point so the worker's imports do not move while it is
 * being reworked.
 */
export {
  markError,
  markReauthRequired,
  markSynced,
  markSyncing,
  recordLastError,
} from '../db/repositories/mailbox-health.repository.ts';
