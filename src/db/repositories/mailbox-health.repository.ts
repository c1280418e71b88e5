import { appendEvents } from '../outbox.ts';
import { z } from 'zod';
import { queryRow, run } from '../sql.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import { cutCodePoints } from '../../mail/pg-text.ts';

/**
 * A last error is one short line (the job layer classifies it, queue/failure-reason.ts); capped
 * here too, so no caller can store a statement with message bodies again.
 */
const MAX_LAST_ERROR_CHARS = 300;
const short = (message: string) =>
  cutCodePoints(message.replace(/\s+/g, ' ').trim(), MAX_LAST_ERROR_CHARS);

/**
 * Mailbox status transitions the job layer owns. Each is one guarded update, so a transition that
 * no longer applies (a mailbox waiting for reauth, one already active, one an operator
 * disconnected while its job was running) is a no-op, not a race.
 */
/** `syncing`, alive for `aliveSeconds` unless the heartbeat (keepSyncAlive) pushes it on. */
export async function markSyncing(
  em: EntityManager,
  mailboxId: string,
  aliveSeconds: number,
): Promise<void> {
  await run(
    em,
    `update mailbox set status = 'syncing', updated_at = now(),
            sync_alive_until = now() + make_interval(secs => ?)
      where id = ? and status in ('active', 'error', 'syncing')`,
    [aliveSeconds, mailboxId],
  );
}

/** The running sync's heartbeat; a no-op once the mailbox left `syncing`. */
export async function keepSyncAlive(
  em: EntityManager,
  mailboxId: string,
  aliveSeconds: number,
): Promise<void> {
  await run(
    em,
    `update mailbox set sync_alive_until = now() + make_interval(secs => ?)
      where id = ? and status = 'syncing'`,
    [aliveSeconds, mailboxId],
  );
}

export async function markSynced(em: EntityManager, mailboxId: string): Promise<void> {
  await run(
    em,
    `update mailbox set status = 'active', last_error = null, last_synced_at = now(),
            sync_alive_until = null, updated_at = now()
      where id = ? and status = 'syncing'`,
    [mailboxId],
  );
}

export async function markError(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  await run(
    em,
    `update mailbox set status = 'error', last_error = ?, sync_alive_until = null, updated_at = now()
      where id = ? and status not in ('reauth_required', 'disconnected')`,
    [short(message), mailboxId],
  );
}

export async function recordLastError(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  await run(em, 'update mailbox set last_error = ?, updated_at = now() where id = ?', [
    short(message),
    mailboxId,
  ]);
}

const reauthRow = z.object({
  workspace_id: z.string(),
  email: z.string(),
  provider: z.string(),
  version: z.string(),
});

/**
 * `reauth_required` also announces itself on the outbox, once per stored credential (a reconnect
 * stores a new one and can fail again later), in the same transaction as the status change.
 */
export async function markReauthRequired(
  em: EntityManager,
  mailboxId: string,
  message: string,
): Promise<void> {
  const reason = short(message);
  await em.transactional(async (tx) => {
    const row = await queryRow(
      tx,
      reauthRow,
      `update mailbox set status = 'reauth_required', last_error = ?, sync_alive_until = null,
              updated_at = now()
        where id = ? and status <> 'disconnected'
        returning workspace_id, email, provider, md5(coalesce(credentials, '')) as version`,
      [reason, mailboxId],
    );
    if (!row) {
      return;
    }
    await appendEvents(tx, [
      {
        type: 'mailbox.reauth_required',
        workspaceId: row.workspace_id,
        aggregateId: mailboxId,
        occurrence: `${mailboxId}:${row.version}`,
        data: { mailboxId, email: row.email, provider: row.provider, reason },
      },
    ]);
  });
}
