/**
 * PostgreSQL session timeouts, set on every pooled connection when it opens (the startup
 * packet's `options`, so no extra round trip and no connection without them):
 * - `lock_timeout`: a wait for any lock, the per-workspace advisory lock included, gives up with
 *   55P03 instead of waiting for ever behind a frozen holder; the job fails transient and BullMQ
 *   retries it later.
 * - `statement_timeout`: one statement runs at most this long (57014).
 * - `idle_in_transaction_session_timeout`: a session that sits in an open transaction doing
 *   nothing (a worker frozen by SIGSTOP, a lost process) is terminated, which ends its transaction
 *   and releases its locks, so the others go on.
 * 0 turns one off (PostgreSQL's own meaning).
 */
export interface DbTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/**
 * Safe defaults: far above what a healthy write waits (a batch transaction takes well under a
 * second), short enough that a stuck holder stops its workspace for a minute, not for hours.
 */
export const DEFAULT_DB_TIMEOUTS: DbTimeouts = {
  lockTimeoutMs: 30_000,
  statementTimeoutMs: 120_000,
  idleInTransactionTimeoutMs: 60_000,
};

/** The libpq `options` string that sets them for a session. */
export function sessionOptions(t: DbTimeouts): string {
  const ms = (n: number) => String(Math.max(0, Math.trunc(n)));
  return [
    `-c lock_timeout=${ms(t.lockTimeoutMs)}`,
    `-c statement_timeout=${ms(t.statementTimeoutMs)}`,
    `-c idle_in_transaction_session_timeout=${ms(t.idleInTransactionTimeoutMs)}`,
  ].join(' ');
}
