import { run, type Db } from './sql.ts';

/**
 * Serialises CRM writes per workspace for the rest of the transaction. Without it two
 * transactions can each miss the other's uncommitted rows (mailbox A links a cc'd address while
 * mailbox B creates that person, or a meeting and a message create one person at once) and leave
 * a link gap; with it every write sees all earlier ones. Take it after the expensive parsing.
 * The wait is bounded by the session's `lock_timeout` (session-timeouts.ts): behind a frozen
 * holder it fails with 55P03 (transient, the job retries), and the holder's own transaction is
 * ended by `idle_in_transaction_session_timeout`.
 */
export async function lockWorkspace(tx: Db, workspaceId: string): Promise<void> {
  await run(tx, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [workspaceId]);
}
