import type { BackfillStatus } from '../read-models/mailbox-status.schema.ts';
import type { StoredMailSyncState } from '../db/repositories/mail-sync-state.repository.ts';

/**
 * Backfill progress plus an ETA from the rate so far, while a backfill is running: 0 once it
 * finished, null when there is nothing to estimate from yet. A mailbox that never synced shows
 * nothing done.
 */
export function withEta(stored: StoredMailSyncState['backfill'], now = Date.now()): BackfillStatus {
  const p = stored ?? { done: 0, total: null };
  const started = 'startedAt' in p && p.startedAt ? Date.parse(p.startedAt) : NaN;
  const finishedAt = 'finishedAt' in p ? p.finishedAt : null;
  let etaSeconds: number | null = null;
  if (!finishedAt && p.total !== null && p.done > 0 && !Number.isNaN(started)) {
    const rate = p.done / Math.max(1, now - started);
    etaSeconds = Math.round(Math.max(0, p.total - p.done) / rate / 1000);
  } else if (finishedAt) {
    etaSeconds = 0;
  }
  return { ...p, etaSeconds };
}
