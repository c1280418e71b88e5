import type { EntityManager } from '@mikro-orm/postgresql';
import { MailboxSchema } from '../db/entities/mailbox.entity.ts';
import { NotFoundError } from '../errors.ts';

/**
 * What an operator or the rep sees about one mailbox: status, sync stages and cursors, backfill
 * progress, each calendar's stage and counts, the last error, and counters of what was stored and what the rules kept out and why
 * (computed from the stored rows, so they stay right under retries and re-ingest).
 */
interface BackfillProgress {
  done: number;
  total: number | null;
  startedAt?: string | null;
  finishedAt?: string | null;
}

/** Progress plus an ETA from the rate so far, while a backfill is running. */
function withEta(raw: unknown, now = Date.now()): BackfillProgress & { etaSeconds: number | null } {
  const p = (raw ?? { done: 0, total: null }) as BackfillProgress;
  const started = p.startedAt ? Date.parse(p.startedAt) : NaN;
  let etaSeconds: number | null = null;
  if (!p.finishedAt && p.total !== null && p.done > 0 && !Number.isNaN(started)) {
    const rate = p.done / Math.max(1, now - started);
    etaSeconds = Math.round(Math.max(0, p.total - p.done) / rate / 1000);
  } else if (p.finishedAt) {
    etaSeconds = 0;
  }
  return { ...p, etaSeconds };
}

export async function mailboxStatus(em: EntityManager, mailboxId: string): Promise<unknown> {
  const mailbox = await em.findOne(MailboxSchema, { id: mailboxId });
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  const [totals] = await em.execute<{ emails: string; deleted: string; logged: string }[]>(
    `select count(*) as emails, count(*) filter (where deleted) as deleted,
            count(*) filter (where crm_skip_reason is null) as logged
       from email where mailbox_id = ?`,
    [mailboxId],
  );
  const messageSkips = await em.execute<{ reason: string; n: string }[]>(
    `select crm_skip_reason as reason, count(*) as n from email
      where mailbox_id = ? and crm_skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const participantSkips = await em.execute<{ reason: string; n: string }[]>(
    `select ep.skip_reason as reason, count(*) as n
       from email_participant ep join email e on e.id = ep.email_id
      where e.mailbox_id = ? and ep.skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const calendars = await em.execute<
    {
      calendar_id: string;
      stage: string;
      window_start: Date | null;
      window_end: Date | null;
      full_syncs: number;
      last_synced_at: Date | null;
      last_error: string | null;
      events: string;
      cancelled: string;
    }[]
  >(
    `select c.calendar_id,
            case when c.sync_token is not null then 'incremental'
                 when c.round_id is not null then 'full' else 'pending' end as stage,
            c.window_start, c.window_end, c.full_syncs, c.last_synced_at, c.last_error,
            (select count(*) from calendar_event ev
              where ev.mailbox_id = c.mailbox_id and ev.calendar_id = c.calendar_id) as events,
            (select count(*) from calendar_event ev
              where ev.mailbox_id = c.mailbox_id and ev.calendar_id = c.calendar_id
                and ev.status = 'cancelled') as cancelled
       from calendar_cursor c where c.mailbox_id = ? order by c.calendar_id`,
    [mailboxId],
  );
  const toCounts = (rows: { reason: string; n: string }[]) =>
    Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
  const state = mailbox.syncState;
  return {
    id: mailbox.id,
    workspaceId: mailbox.workspaceId,
    email: mailbox.email,
    provider: mailbox.provider,
    status: mailbox.status,
    stages: state['stages'] ?? {},
    cursors: state['cursors'] ?? {},
    backfill: withEta(state['backfill']),
    calendars: calendars.map((c) => ({
      calendarId: c.calendar_id,
      stage: c.stage,
      window:
        c.window_start && c.window_end
          ? {
              start: new Date(c.window_start).toISOString(),
              end: new Date(c.window_end).toISOString(),
            }
          : null,
      fullSyncs: c.full_syncs,
      lastSyncedAt: c.last_synced_at ? new Date(c.last_synced_at).toISOString() : null,
      lastError: c.last_error,
      events: Number(c.events),
      cancelled: Number(c.cancelled),
    })),
    lastError: mailbox.lastError,
    lastSyncedAt: mailbox.lastSyncedAt?.toISOString() ?? null,
    counts: {
      emails: Number(totals?.emails ?? 0),
      deleted: Number(totals?.deleted ?? 0),
      loggedToCrm: Number(totals?.logged ?? 0),
      skippedMessages: toCounts(messageSkips),
      skippedParticipants: toCounts(participantSkips),
    },
  };
}
