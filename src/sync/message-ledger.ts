import type { EntityManager } from '@mikro-orm/postgresql';

/** Provider ids this mailbox already stored or already failed: never fetched again. */
export async function storedOrFailedIds(
  em: EntityManager,
  mailboxId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) {
    return new Set();
  }
  const rows = await em.execute<{ id: string }[]>(
    `select provider_message_id as id from email
      where mailbox_id = ? and provider_message_id in (select jsonb_array_elements_text(?::jsonb))
     union
     select provider_message_id from message_failure
      where mailbox_id = ? and provider_message_id in (select jsonb_array_elements_text(?::jsonb))`,
    [mailboxId, JSON.stringify(ids), mailboxId, JSON.stringify(ids)],
  );
  return new Set(rows.map((r) => r.id));
}

export async function recordFailures(
  em: EntityManager,
  mailboxId: string,
  failures: readonly { id: string; reason: string }[],
): Promise<void> {
  if (failures.length === 0) {
    return;
  }
  await em.execute(
    `insert into message_failure (mailbox_id, provider_message_id, reason)
     select ?, r.id, r.reason from jsonb_to_recordset(?::jsonb) as r(id text, reason text)
     on conflict (mailbox_id, provider_message_id)
     do update set reason = excluded.reason, attempts = message_failure.attempts + 1,
                   last_failed_at = now()`,
    [mailboxId, JSON.stringify(failures)],
  );
}
