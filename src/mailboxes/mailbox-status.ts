import type { EntityManager } from '@mikro-orm/postgresql';
import { loadMailboxStatusFacts } from '../db/read-models/mailbox-status.ts';
import { NotFoundError } from '../errors.ts';
import type { MailboxStatusView } from '../read-models/mailbox-status.schema.ts';
import { withEta } from './backfill-eta.ts';

/**
 * What an operator or the rep sees about one mailbox: status, sync stages and cursors, backfill
 * progress, each calendar's stage and counts, the last error, and counters of what was stored and
 * what the rules kept out and why. `stale` tells a `syncing` that no worker is behind any more
 * (its heartbeat ran out: the worker died); the next poll queues that mailbox again.
 */
export async function mailboxStatus(
  em: EntityManager,
  mailboxId: string,
): Promise<MailboxStatusView> {
  const facts = await loadMailboxStatusFacts(em, mailboxId);
  if (!facts) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  const { mailbox, totals } = facts;
  const toCounts = (rows: { reason: string; n: number }[]) =>
    Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  const state = mailbox.sync_state;
  return {
    id: mailbox.id,
    workspaceId: mailbox.workspace_id,
    email: mailbox.email,
    provider: mailbox.provider,
    status: mailbox.status,
    stale: mailbox.stale,
    syncAliveUntil: mailbox.sync_alive_until?.toISOString() ?? null,
    stages: state.stages ?? {},
    cursors: state.cursors ?? {},
    backfill: withEta(state.backfill),
    calendars: facts.calendars.map((c) => ({
      calendarId: c.calendar_id,
      stage: c.stage,
      window:
        c.window_start && c.window_end
          ? { start: c.window_start.toISOString(), end: c.window_end.toISOString() }
          : null,
      fullSyncs: c.full_syncs,
      lastSyncedAt: c.last_synced_at?.toISOString() ?? null,
      lastError: c.last_error,
      events: c.events,
      cancelled: c.cancelled,
    })),
    lastError: mailbox.last_error,
    lastSyncedAt: mailbox.last_synced_at?.toISOString() ?? null,
    counts: {
      emails: totals.emails,
      deleted: totals.deleted,
      loggedToCrm: totals.logged,
      skippedMessages: toCounts(facts.messageSkips),
      skippedParticipants: toCounts(facts.participantSkips),
      failedMessages: {
        retrying: facts.failures.retrying,
        permanent: facts.failures.permanent,
        reasons: toCounts(facts.failures.reasons),
      },
    },
  };
}
