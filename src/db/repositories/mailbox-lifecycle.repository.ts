import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { appendEvents } from '../outbox.ts';
import { queryRow, queryRows, run } from '../sql.ts';

/**
 * Operator transitions of a mailbox: disconnecting it, and clearing its sync checkpoints so the
 * next sync is a full one.
 */
const disconnectedRow = z.object({
  workspace_id: z.string(),
  email: z.string(),
  provider: z.string(),
  previous_status: z.string(),
  version: z.string(),
});

export interface DisconnectedMailbox {
  workspaceId: string;
  email: string;
  provider: string;
  /** False when the mailbox was already disconnected (nothing changed, nothing announced). */
  changed: boolean;
}

/**
 * Sets the mailbox `disconnected`, deletes its stored tokens and announces `mailbox.disconnected`
 * on the outbox, in one transaction. The event is once per stored credential, as
 * `mailbox.reauth_required` is: a reconnect stores a new one and can be disconnected again.
 * Null when there is no such mailbox.
 */
export async function markDisconnected(
  em: EntityManager,
  mailboxId: string,
): Promise<DisconnectedMailbox | null> {
  return em.transactional(async (tx) => {
    const row = await queryRow(
      tx,
      disconnectedRow,
      `update mailbox m
          set status = 'disconnected', credentials = null, last_error = null, updated_at = now()
         from (select id, status, credentials from mailbox where id = ? for update) old
        where m.id = old.id
        returning m.workspace_id, m.email, m.provider, old.status as previous_status,
                  md5(coalesce(old.credentials, '')) as version`,
      [mailboxId],
    );
    if (!row) {
      return null;
    }
    const changed = row.previous_status !== 'disconnected';
    if (changed) {
      await appendEvents(tx, [
        {
          type: 'mailbox.disconnected',
          workspaceId: row.workspace_id,
          aggregateId: mailboxId,
          occurrence: `${mailboxId}:${row.version}`,
          data: { mailboxId, email: row.email, provider: row.provider },
        },
      ]);
    }
    return { workspaceId: row.workspace_id, email: row.email, provider: row.provider, changed };
  });
}

/**
 * Forgets where the mailbox's mail and calendar syncs stand: the mail checkpoint goes back to
 * "never synced" (a backfill that skips what is stored) and each calendar's cursor to "no sync
 * token" (a full listing, which cancels what the calendar no longer has). Stored mail, events,
 * people and the failure ledger are kept.
 */
export async function clearSyncCheckpoints(em: EntityManager, mailboxId: string): Promise<void> {
  await em.transactional(async (tx) => {
    await run(tx, `update mailbox set sync_state = '{}'::jsonb, updated_at = now() where id = ?`, [
      mailboxId,
    ]);
    await run(
      tx,
      `update calendar_cursor set sync_token = null, page_token = null, round_id = null,
              updated_at = now()
        where mailbox_id = ?`,
      [mailboxId],
    );
  });
}

/**
 * Records that the mailbox's data is to be purged (the API's background purge), unless it is
 * already recorded. False when there is no such disconnected mailbox.
 */
export async function requestPurge(em: EntityManager, mailboxId: string): Promise<boolean> {
  const row = await queryRow(
    em,
    z.object({ id: z.string() }),
    `update mailbox set purge_requested_at = coalesce(purge_requested_at, now())
      where id = ? and status = 'disconnected'
      returning id`,
    [mailboxId],
  );
  return row !== null;
}

/** The purge of the mailbox is done (or was never asked for). */
export async function clearPurgeRequest(em: EntityManager, mailboxId: string): Promise<void> {
  await run(
    em,
    `update mailbox set purge_requested_at = null where id = ? and purge_requested_at is not null`,
    [mailboxId],
  );
}

/** Mailboxes whose requested purge has not finished, oldest request first. */
export async function pendingPurges(em: EntityManager): Promise<string[]> {
  const rows = await queryRows(
    em,
    z.object({ id: z.string() }),
    `select id from mailbox where purge_requested_at is not null order by purge_requested_at, id`,
  );
  return rows.map((r) => r.id);
}
