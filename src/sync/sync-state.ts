import type { EntityManager } from '@mikro-orm/postgresql';
import {
  loadMailSyncState,
  saveMailSyncState,
  type StoredMailSyncState,
} from '../db/repositories/mail-sync-state.repository.ts';

/**
 * A mailbox's mail-sync checkpoint, kept in PostgreSQL (mailbox.sync_state) and saved after every
 * page, so a killed worker resumes where it stopped instead of starting over. The stored shape is
 * checked in the repository; here a mailbox that never synced gets its starting state.
 */
export type MailSyncState = Required<StoredMailSyncState>;
export type MailStage = NonNullable<MailSyncState['stages']['mail']>;

export function emptyState(): MailSyncState {
  return {
    stages: {},
    cursors: {},
    backfill: { done: 0, total: null, startedAt: null, finishedAt: null },
  };
}

export async function loadSyncState(em: EntityManager, mailboxId: string): Promise<MailSyncState> {
  const s = await loadMailSyncState(em, mailboxId);
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
  await saveMailSyncState(em, mailboxId, state);
}
