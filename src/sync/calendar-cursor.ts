import type { EntityManager } from '@mikro-orm/postgresql';
import type { CalendarCursor } from '../db/entities/calendar-event.entity.ts';

/**
 * A calendar's checkpoint (calendar_cursor): its sync token or delta link, the page of a listing
 * in progress, the full round that listing belongs to and the window it covers. Its own row per
 * calendar, so the calendar job never overwrites the mail job's state.
 */
export type CursorRow = Omit<CalendarCursor, 'updatedAt'>;

interface DbRow {
  sync_token: string | null;
  page_token: string | null;
  round_id: string | null;
  window_start: Date | null;
  window_end: Date | null;
  full_syncs: number;
  last_synced_at: Date | null;
  last_error: string | null;
}

export async function loadCalendarCursor(
  em: EntityManager,
  mailboxId: string,
  calendarId: string,
): Promise<CursorRow> {
  const [row] = await em.execute<DbRow[]>(
    `select sync_token, page_token, round_id, window_start, window_end, full_syncs, last_synced_at,
            last_error
       from calendar_cursor where mailbox_id = ? and calendar_id = ?`,
    [mailboxId, calendarId],
  );
  return {
    mailboxId,
    calendarId,
    syncToken: row?.sync_token ?? null,
    pageToken: row?.page_token ?? null,
    roundId: row?.round_id ?? null,
    windowStart: row?.window_start ? new Date(row.window_start) : null,
    windowEnd: row?.window_end ? new Date(row.window_end) : null,
    fullSyncs: row?.full_syncs ?? 0,
    lastSyncedAt: row?.last_synced_at ? new Date(row.last_synced_at) : null,
    lastError: row?.last_error ?? null,
  };
}

export async function saveCalendarCursor(em: EntityManager, c: CursorRow): Promise<void> {
  await em.execute(
    `insert into calendar_cursor (mailbox_id, calendar_id, sync_token, page_token, round_id,
       window_start, window_end, full_syncs, last_synced_at, last_error, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (mailbox_id, calendar_id) do update set
       sync_token = excluded.sync_token, page_token = excluded.page_token,
       round_id = excluded.round_id, window_start = excluded.window_start,
       window_end = excluded.window_end, full_syncs = excluded.full_syncs,
       last_synced_at = excluded.last_synced_at, last_error = excluded.last_error,
       updated_at = now()`,
    [
      c.mailboxId,
      c.calendarId,
      c.syncToken,
      c.pageToken,
      c.roundId,
      c.windowStart?.toISOString() ?? null,
      c.windowEnd?.toISOString() ?? null,
      c.fullSyncs,
      c.lastSyncedAt?.toISOString() ?? null,
      c.lastError,
    ],
  );
}
