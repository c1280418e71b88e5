import { z } from 'zod';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/**
 * The message ledger: provider ids a mailbox already stored (`email`) or gave up on
 * (`message_failure`). Sync consults it so neither kind is fetched again.
 */
export async function storedOrFailedIds(
  db: Db,
  mailboxId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) {
    return new Set();
  }
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    `select provider_message_id as id from email
      where mailbox_id = ? and provider_message_id in (select jsonb_array_elements_text(?::jsonb))
     union
     select provider_message_id from message_failure
      where mailbox_id = ? and provider_message_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mailboxId, jsonb(ids), mailboxId, jsonb(ids)],
  );
  return new Set(rows.map((r) => r.id));
}

/** Records (or re-records, counting the attempt) messages that could not be stored. */
export async function recordFailures(
  db: Db,
  mailboxId: string,
  failures: readonly { id: string; reason: string }[],
): Promise<void> {
  if (failures.length === 0) {
    return;
  }
  await run(
    db,
    `insert into message_failure (mailbox_id, provider_message_id, reason)
     select ?, r.id, r.reason from jsonb_to_recordset(?::jsonb) as r(id text, reason text)
     on conflict (mailbox_id, provider_message_id)
     do update set reason = excluded.reason, attempts = message_failure.attempts + 1,
                   last_failed_at = now()`,
    [mailboxId, jsonb(failures)],
  );
}
