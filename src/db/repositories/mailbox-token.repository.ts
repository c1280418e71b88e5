import { z } from 'zod';
import { queryRow, run, type Db } from '../sql.ts';

/**
 * The sealed refresh token on a mailbox row, for providers that rotate it on every refresh
 * (Microsoft): read under a row lock inside the caller's transaction, then written back there.
 */
const credentialsRow = z.object({ credentials: z.string().nullable() });

/** Locks the mailbox row until the transaction ends; null when it has no stored credentials. */
export async function lockSealedCredentials(tx: Db, mailboxId: string): Promise<string | null> {
  const row = await queryRow(
    tx,
    credentialsRow,
    'select credentials from mailbox where id = ? for update',
    [mailboxId],
  );
  return row?.credentials ?? null;
}

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
