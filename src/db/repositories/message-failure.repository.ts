import { z } from 'zod';
import { cutCodePoints } from '../../mail/pg-text.ts';
import { jsonb, queryRows, run, type Db } from '../sql.ts';

/**
 * The message ledger: provider ids a mailbox already stored (`email`) or could not store
 * (`message_failure`). Listing and change passes skip both; failed messages are a queue to retry
 * instead, a bounded number of times with backoff (sync/retry-failed-messages.ts), and stay
 * recorded with their reason once they have used their attempts.
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

/** A ledger reason is a short sentence: never a statement, a body or a stack. */
const MAX_REASON_CHARS = 300;

/**
 * Records (or re-records, counting the attempt) messages that could not be stored, with when the
 * next try is due: `retryDelaysSeconds[n - 1]` after the n-th failure, and never again (null)
 * once the failures outnumber the delays. The reason of the latest failure is kept.
 */
export async function recordFailures(
  db: Db,
  mailboxId: string,
  failures: readonly { id: string; reason: string }[],
  retryDelaysSeconds: readonly number[],
): Promise<void> {
  if (failures.length === 0) {
    return;
  }
  const rows = failures.map((f) => ({
    id: f.id,
    reason: cutCodePoints(f.reason, MAX_REASON_CHARS),
  }));
  // `->>` past the end of the delays is null, and so is the next attempt: permanently failed.
  await run(
    db,
    `insert into message_failure (mailbox_id, provider_message_id, reason, next_attempt_at)
     select ?, r.id, r.reason, now() + make_interval(secs => (?::jsonb ->> 0)::float8)
       from jsonb_to_recordset(?::jsonb) as r(id text, reason text)
     on conflict (mailbox_id, provider_message_id)
     do update set reason = excluded.reason, attempts = message_failure.attempts + 1,
                   last_failed_at = now(),
                   next_attempt_at = now() + make_interval(
                     secs => (?::jsonb ->> message_failure.attempts)::float8)`,
    [mailboxId, jsonb(retryDelaysSeconds), jsonb(rows), jsonb(retryDelaysSeconds)],
  );
}

/** Ledger entries due for another try, the longest-waiting first. */
export async function dueFailures(db: Db, mailboxId: string, limit: number): Promise<string[]> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    `select provider_message_id as id from message_failure
      where mailbox_id = ? and next_attempt_at <= now()
      order by next_attempt_at, provider_message_id limit ?`,
    [mailboxId, limit],
  );
  return rows.map((r) => r.id);
}

/** Forgets failures that are resolved: the message is stored now, gone, or excluded. */
export async function clearFailures(
  db: Db,
  mailboxId: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await run(
    db,
    `delete from message_failure
      where mailbox_id = ? and provider_message_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mailboxId, jsonb(ids)],
  );
}
