import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Mailbox status transitions the job layer owns. `reauth_required` also announces itself on the
 * outbox once per stored credential (a reconnect stores a new one and can fail again later).
 */
export async function markSyncing(em: EntityManager, mailboxId: string): Promise<void> {
  await em.execute(
    `update mailbox set status = 'syncing', updated_at = now() where id = ? and status in ('active', 'error', 'syncing')`,
    [mailboxId],
  );
}

export async function markSynced(em: EntityManager, mailboxId: string): Promise<void> {
  await em.execute(
    `update mailbox set status = 'active', last_error = null, last_synced_at = now(), updated_at = now()
      where id = ? and status = 'syncing'`,
    [mailboxId],
  );
}

export async function markError(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  await em.execute(
    `update mailbox set status = 'error', last_error = ?, updated_at = now()
      where id = ? and status <> 'reauth_required'`,
    [message, mailboxId],
  );
}

export async function recordLastError(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  await em.execute('update mailbox set last_error = ?, updated_at = now() where id = ?', [
    message,
    mailboxId,
  ]);
}

export async function markReauthRequired(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  await em.transactional(async (tx) => {
    const rows = await tx.execute<
      { workspace_id: string; email: string; provider: string; version: string }[]
    >(
      `update mailbox set status = 'reauth_required', last_error = ?, updated_at = now()
        where id = ? returning workspace_id, email, provider, md5(coalesce(credentials, '')) as version`,
      [message, mailboxId],
    );
    const row = rows[0];
    if (!row) {
      return;
    }
    await tx.execute(
      `insert into outbox_event (workspace_id, type, aggregate_type, aggregate_id, payload, dedupe_key)
       values (?, 'mailbox.reauth_required', 'mailbox', ?, ?::jsonb, ?)
       on conflict (dedupe_key) do nothing`,
      [
        row.workspace_id,
        mailboxId,
        JSON.stringify({ mailboxId, email: row.email, provider: row.provider, reason: message }),
        `mailbox.reauth_required:${mailboxId}:${row.version}`,
      ],
    );
  });
}
