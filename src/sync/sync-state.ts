import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A mailbox's mail-sync checkpoint, kept in PostgreSQL (mailbox.sync_state) and saved after every
 * page, so a killed worker resumes where it stopped instead of starting over.
 */
export type MailStage = 'backfill' | 'incremental';

export interface MailSyncState {
  stages: { mail?: MailStage };
  cursors: {
    /** Incremental cursor (Gmail history id), valid once the backfill is done. */
    mail?: string | null;
    /** Where incremental sync starts after the current backfill. */
    backfillStart?: string | null;
    /** Next page of the current backfill listing. */
    backfillPageToken?: string | null;
  };
  backfill: {
    done: number;
    total: number | null;
    startedAt: string | null;
    finishedAt: string | null;
    resyncs?: number;
  };
}

export function emptyState(): MailSyncState {
  return {
    stages: {},
    cursors: {},
    backfill: { done: 0, total: null, startedAt: null, finishedAt: null },
  };
}

export async function loadSyncState(em: EntityManager, mailboxId: string): Promise<MailSyncState> {
  const [row] = await em.execute<{ sync_state: Partial<MailSyncState> | null }[]>(
    'select sync_state from mailbox where id = ?',
    [mailboxId],
  );
  const s = row?.sync_state ?? {};
  return {
    stages: s.stages ?? {},
    cursors: s.cursors ?? {},
    backfill: s.backfill ?? emptyState().backfill,
  };
}

export async function saveSyncState(
  em: EntityManager,
  mailboxId: string,
  state: MailSyncState,
): Promise<void> {
  await em.execute('update mailbox set sync_state = ?::jsonb, updated_at = now() where id = ?', [
    JSON.stringify(state),
    mailboxId,
  ]);
}
