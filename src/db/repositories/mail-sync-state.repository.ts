import { z } from 'zod';
import { jsonb, queryRow, run, type Db } from '../sql.ts';

/**
 * The stored shape of `mailbox.sync_state`, the mail-sync checkpoint. Every key is optional here
 * because a mailbox that never synced stores `{}`; the sync layer fills in its own defaults.
 *
 * Keys are listed in jsonb's storage order (shorter names first), so a parsed state keeps the key
 * order PostgreSQL returns and `mailbox:status` prints it exactly as stored.
 */
export const mailStageSchema = z.enum(['backfill', 'incremental']);

export const mailSyncStagesSchema = z.object({ mail: mailStageSchema.optional() });

export const mailSyncCursorsSchema = z.object({
  /** Incremental cursor (Gmail history id), valid once the backfill is done. */
  mail: z.string().nullable().optional(),
  /** Where incremental sync starts after the current backfill. */
  backfillStart: z.string().nullable().optional(),
  /** Next page of the current backfill listing. */
  backfillPageToken: z.string().nullable().optional(),
});

export const backfillProgressSchema = z.object({
  done: z.number(),
  total: z.number().nullable(),
  resyncs: z.number().optional(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const storedMailSyncStateSchema = z.object({
  stages: mailSyncStagesSchema.optional(),
  cursors: mailSyncCursorsSchema.optional(),
  backfill: backfillProgressSchema.optional(),
});

export type StoredMailSyncState = z.infer<typeof storedMailSyncStateSchema>;

/** The mailbox's stored checkpoint (`{}` before its first sync, or if the mailbox is gone). */
export async function loadMailSyncState(db: Db, mailboxId: string): Promise<StoredMailSyncState> {
  const row = await queryRow(
    db,
    z.object({ sync_state: storedMailSyncStateSchema.nullable() }),
    'select sync_state from mailbox where id = ?',
    [mailboxId],
  );
  return row?.sync_state ?? {};
}

export async function saveMailSyncState(
  db: Db,
  mailboxId: string,
  state: StoredMailSyncState,
): Promise<void> {
  await run(db, 'update mailbox set sync_state = ?::jsonb, updated_at = now() where id = ?', [
    jsonb(state),
    mailboxId,
  ]);
}
