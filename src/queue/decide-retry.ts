import { ProviderError } from '../providers/provider-error.ts';
import { SecretBoxError } from '../security/secret-box.ts';

/**
 * The one place where a failure becomes an action (style.md §8.4):
 * - transient → retry with BullMQ's exponential backoff and jitter (uses an attempt);
 * - rate limited → delay the job by Retry-After (or a default) without using an attempt;
 * - auth revoked → mark the mailbox `reauth_required` and stop retrying until it is reconnected;
 * - permanent (and anything unclassified) → mark the mailbox `error` and stop;
 * - configuration (stored credentials the configured keys cannot open, even when a provider adapter
 *   wrapped that error) → stop without retrying and without touching the mailbox: the operator
 *   fixes `MAILROOM_ENCRYPTION_KEY` / `MAILROOM_ENCRYPTION_KEYS_OLD`, and the next poll syncs it.
 * CURSOR_INVALID never gets here: the sync answers it with a bounded resync.
 */
export type RetryDecision =
  | { action: 'retry' }
  | { action: 'delay'; delayMs: number }
  | { action: 'reauth' }
  | { action: 'fail' }
  | { action: 'config' };

const DEFAULT_RATE_LIMIT_DELAY_MS = 15_000;
const MAX_DELAY_MS = 3_600_000;

export function decideRetry(err: unknown, random: () => number = Math.random): RetryDecision {
  if (isConfigurationError(err)) {
    return { action: 'config' };
  }
  if (!(err instanceof ProviderError)) {
    // Our own bugs and database outages: retrying is the safe choice; attempts bound it.
    return { action: 'retry' };
  }
  switch (err.kind) {
    case 'TRANSIENT':
      return { action: 'retry' };
    case 'RATE_LIMITED': {
      const base = err.retryAfterMs ?? DEFAULT_RATE_LIMIT_DELAY_MS;
      // Jitter keeps many throttled mailboxes from coming back in the same instant.
      return {
        action: 'delay',
        delayMs: Math.min(MAX_DELAY_MS, Math.round(base * (1 + 0.2 * random()))),
      };
    }
    case 'AUTH_REVOKED':
      return { action: 'reauth' };
    case 'SCOPE_MISSING':
    case 'NOT_FOUND':
    case 'CURSOR_INVALID':
    case 'PERMANENT':
      return { action: 'fail' };
  }
}

/** A SecretBoxError, thrown directly or as the cause of what a provider adapter threw. */
function isConfigurationError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof SecretBoxError) {
      return true;
    }
  }
  return false;
}

/** BullMQ's attemptsMade counts finished attempts; this is the off-by-one, encoded once. */
export function isFinalAttempt(attemptsMade: number, attempts: number | undefined): boolean {
  return attemptsMade + 1 >= (attempts ?? 1);
}
