import { z } from 'zod';
import { bigintCount, timestamptz } from '../columns.ts';
import { storedMailSyncStateSchema } from '../repositories/mail-sync-state.repository.ts';
import { queryRow, queryRows, type Db } from '../sql.ts';

/**
 * The stored facts behind `mailbox:status`: the mailbox row with its sync checkpoint, counters of
 * what was stored and what the rules kept out and why (computed from the stored rows, so they stay
 * right under retries and re-ingest), and each calendar's cursor with its event counts.
 */
const mailboxRow = z.object({
  id: z.string(),
  workspace_id: z.string(),
  email: z.string(),
  provider: z.enum(['google', 'microsoft']),
  status: z.enum(['active', 'syncing', 'reauth_required', 'error', 'disconnected']),
  sync_state: storedMailSyncStateSchema,
  last_error: z.string().nullable(),
  last_synced_at: timestamptz.nullable(),
  sync_alive_until: timestamptz.nullable(),
  stale: z.boolean(),
});

const totalsRow = z.object({ emails: bigintCount, deleted: bigintCount, logged: bigintCount });

const skipRow = z.object({ reason: z.string(), n: bigintCount });

const failureTotalsRow = z.object({ retrying: bigintCount, permanent: bigintCount });

/** The most frequent failure reasons shown; a ledger can hold many distinct sentences. */
const MAX_FAILURE_REASONS = 20;

const calendarRow = z.object({
  calendar_id: z.string(),
  stage: z.enum(['incremental', 'full', 'pending']),
  window_start: timestamptz.nullable(),
  window_end: timestamptz.nullable(),
  full_syncs: z.number(),
  last_synced_at: timestamptz.nullable(),
  last_error: z.string().nullable(),
  events: bigintCount,
  cancelled: bigintCount,
});

export interface MailboxStatusFacts {
  mailbox: z.infer<typeof mailboxRow>;
  totals: z.infer<typeof totalsRow>;
  messageSkips: z.infer<typeof skipRow>[];
  participantSkips: z.infer<typeof skipRow>[];
  /** The failure ledger: messages still to be retried, those given up on, and why they failed. */
  failures: z.infer<typeof failureTotalsRow> & { reasons: z.infer<typeof skipRow>[] };
  calendars: z.infer<typeof calendarRow>[];
}

/** The mailbox's status facts, or null when there is no such mailbox. */
export async function loadMailboxStatusFacts(
  db: Db,
  mailboxId: string,
): Promise<MailboxStatusFacts | null> {
  const mailbox = await queryRow(
    db,
    mailboxRow,
    `select id, workspace_id, email, provider, status, sync_state, last_error, last_synced_at,
            sync_alive_until,
            status = 'syncing' and coalesce(sync_alive_until < now(), true) as stale
       from mailbox where id = ?`,
    [mailboxId],
  );
  if (!mailbox) {
    return null;
  }
  const totals = await queryRow(
    db,
    totalsRow,
    `select count(*) as emails, count(*) filter (where deleted) as deleted,
            count(*) filter (where crm_skip_reason is null) as logged
       from email where mailbox_id = ?`,
    [mailboxId],
  );
  const messageSkips = await queryRows(
    db,
    skipRow,
    `select crm_skip_reason as reason, count(*) as n from email
      where mailbox_id = ? and crm_skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const participantSkips = await queryRows(
    db,
    skipRow,
    `select ep.skip_reason as reason, count(*) as n
       from email_participant ep join email e on e.id = ep.email_id
      where e.mailbox_id = ? and ep.skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const failureTotals = await queryRow(
    db,
    failureTotalsRow,
    `select count(*) filter (where next_attempt_at is not null) as retrying,
            count(*) filter (where next_attempt_at is null) as permanent
       from message_failure where mailbox_id = ?`,
    [mailboxId],
  );
  const failureReasons = await queryRows(
    db,
    skipRow,
    `select reason, count(*) as n from message_failure where mailbox_id = ?
      group by 1 order by 2 desc, 1 limit ?`,
    [mailboxId, MAX_FAILURE_REASONS],
  );
  const calendars = await queryRows(
    db,
    calendarRow,
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
  return {
    mailbox,
    totals: totals ?? { emails: 0, deleted: 0, logged: 0 },
    messageSkips,
    participantSkips,
    failures: { ...(failureTotals ?? { retrying: 0, permanent: 0 }), reasons: failureReasons },
    calendars,
  };
}
