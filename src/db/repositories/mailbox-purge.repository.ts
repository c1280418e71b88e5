import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { lockWorkspace } from '../workspace-lock.ts';
import { jsonb, queryRows, run } from '../sql.ts';

/**
 * Deleting a disconnected mailbox's data, one bounded batch per transaction, so a mailbox of a
 * million messages never becomes one giant transaction holding the workspace lock. People and
 * companies stay: they belong to the workspace's CRM, not to the mailbox that found them.
 *
 * An activity belongs to a logical email or meeting, not to one mailbox's copy: when another
 * mailbox of the workspace holds the same message or meeting, the activity is moved to that copy
 * and kept; only activities no other copy supports are deleted with the batch.
 */
export interface PurgeBatch {
  deleted: number;
  activitiesDeleted: number;
  activitiesMoved: number;
}

const idRow = z.object({ id: z.string() });

type Kind = 'email' | 'calendar_event';

/** Per kind: the table and the activity column that points into it (fixed names, never input). */
const TABLES: Record<Kind, { table: string; column: string }> = {
  email: { table: 'email', column: 'email_id' },
  calendar_event: { table: 'calendar_event', column: 'calendar_event_id' },
};

/** Deletes up to `limit` of the mailbox's rows of one kind; `deleted` 0 means none are left. */
export async function purgeBatch(
  em: EntityManager,
  kind: Kind,
  workspaceId: string,
  mailboxId: string,
  limit: number,
): Promise<PurgeBatch> {
  const { table, column } = TABLES[kind];
  return em.transactional(async (tx) => {
    // The same lock ingest takes: no sync of another mailbox links an activity to a row of this
    // batch between the moves and the deletes.
    await lockWorkspace(tx, workspaceId);
    const batch = await queryRows(
      tx,
      idRow,
      `select id from ${table} where mailbox_id = ? order by id limit ?`,
      [mailboxId, limit],
    );
    if (batch.length === 0) {
      return { deleted: 0, activitiesDeleted: 0, activitiesMoved: 0 };
    }
    const ids = jsonb(batch.map((r) => r.id));
    // Another mailbox's live copy of the same logical email or meeting (logical keys are empty
    // only on rows older than calendar sync, which never match).
    const moved = await queryRows(
      tx,
      idRow,
      `update activity a set ${column} = alt.id
         from ${table} mine
         cross join lateral (
           select other.id from ${table} other
            where other.workspace_id = mine.workspace_id and other.logical_key = mine.logical_key
              and other.mailbox_id <> mine.mailbox_id and not other.deleted
            order by other.id limit 1) alt
        where mine.id in (select jsonb_array_elements_text(?::jsonb)::uuid)
          and mine.logical_key <> '' and a.${column} = mine.id
        returning a.id`,
      [ids],
    );
    const deletedActivities = await queryRows(
      tx,
      idRow,
      `delete from activity
        where ${column} in (select jsonb_array_elements_text(?::jsonb)::uuid) returning id`,
      [ids],
    );
    await run(
      tx,
      `delete from ${table} where id in (select jsonb_array_elements_text(?::jsonb)::uuid)`,
      [ids],
    );
    return {
      deleted: batch.length,
      activitiesDeleted: deletedActivities.length,
      activitiesMoved: moved.length,
    };
  });
}

/** What remains once the rows are gone: the failure ledger and the calendars' cursors. */
export async function purgeSyncLeftovers(em: EntityManager, mailboxId: string): Promise<void> {
  await em.transactional(async (tx) => {
    await run(tx, 'delete from message_failure where mailbox_id = ?', [mailboxId]);
    await run(tx, 'delete from calendar_cursor where mailbox_id = ?', [mailboxId]);
    await run(tx, `update mailbox set sync_state = '{}'::jsonb, updated_at = now() where id = ?`, [
      mailboxId,
    ]);
  });
}
