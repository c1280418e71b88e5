import { z } from 'zod';
import { jsonb, queryRows, type Db } from '../sql.ts';

/**
 * The changes an incremental mail sync applies to stored email rows. The provider's labels are
 * stored as they come (the export shows them); whether a message counts as deleted is decided by
 * the provider adapter and arrives here as a plain flag.
 */
const idRow = z.object({ id: z.string() });

/** Marks the mailbox's stored copies of these provider messages deleted; returns how many. */
export async function markEmailsDeleted(
  db: Db,
  mailboxId: string,
  providerMessageIds: readonly string[],
): Promise<number> {
  const rows = await queryRows(
    db,
    idRow,
    `update email set deleted = true, updated_at = now()
      where mailbox_id = ? and not deleted
        and provider_message_id in (select jsonb_array_elements_text(?::jsonb)) returning id`,
    [mailboxId, jsonb(providerMessageIds)],
  );
  return rows.length;
}

export interface RelabelInput {
  providerMessageId: string;
  added: readonly string[];
  removed: readonly string[];
  /** The new deleted flag, or null to keep it (a relabel that neither hides nor restores). */
  deleted: boolean | null;
}

/**
 * Applies a label delta to the stored copy of one message (labels kept distinct and sorted) and
 * sets its deleted flag when the change says so. Returns how many rows it touched: 0 when the
 * message was never stored.
 */
export async function applyRelabel(
  db: Db,
  mailboxId: string,
  input: RelabelInput,
): Promise<number> {
  const rows = await queryRows(
    db,
    idRow,
    `update email e
        set labels = array(select distinct l from unnest(
                       array(select unnest(e.labels) except select jsonb_array_elements_text(?::jsonb))
                       || array(select jsonb_array_elements_text(?::jsonb))) as l order by l),
            deleted = coalesce(?::boolean, e.deleted),
            updated_at = now()
      where e.mailbox_id = ? and e.provider_message_id = ?
      returning e.id`,
    [jsonb(input.removed), jsonb(input.added), input.deleted, mailboxId, input.providerMessageId],
  );
  return rows.length;
}
