import { z } from 'zod';
import { queryRow, run, type Db } from '../sql.ts';

/**
 * The sealed refresh token on a mailbox row, for providers that rotate it on every refresh
 * (Microsoft). A refresh reads it without a lock, calls the provider, then writes the new one back
 * with a compare-and-set on the value it read, so no row lock is ever held across a network call.
 */
const credentialsRow = z.object({ credentials: z.string().nullable() });

/** The stored sealed credential; null when the mailbox is gone or has none. */
export async function readSealedCredentials(db: Db, mailboxId: string): Promise<string | null> {
  const row = await queryRow(db, credentialsRow, 'select credentials from mailbox where id = ?', [
    mailboxId,
  ]);
  return row?.credentials ?? null;
}

/**
 * Stores `sealed` only if the row still holds `expected` (the sealed value the refresh started
 * from; every seal has a fresh IV, so it identifies one write). False when another refresh, a
 * reconnect or a re-seal wrote first.
 */
export async function replaceSealedCredentials(
  db: Db,
  mailboxId: string,
  expected: string,
  sealed: string,
): Promise<boolean> {
  const row = await queryRow(
    db,
    z.object({ id: z.string() }),
    `update mailbox set credentials = ?, updated_at = now()
      where id = ? and credentials = ? returning id`,
    [sealed, mailboxId, expected],
  );
  return row !== null;
}

/** Writes a credential unconditionally (`keys:rotate`, inside its own locking transaction). */
export async function storeSealedCredentials(
  tx: Db,
  mailboxId: string,
  sealed: string,
): Promise<void> {
  await run(tx, 'update mailbox set credentials = ?, updated_at = now() where id = ?', [
    sealed,
    mailboxId,
  ]);
}
