import { dbErrorSummary, isDbError } from '../db/db-error.ts';
import { cutCodePoints } from '../mail/pg-text.ts';
import { ProviderError, type ProviderErrorKind } from '../providers/provider-error.ts';
import { SecretBoxError } from '../security/secret-box.ts';

/**
 * What a failed job says about itself where people read it: `mailbox.last_error` (and so
 * `mailbox:status`), warn logs, the job's failed reason. One short classified line, such as
 * `database: value too long for type character varying(3) (22001)` or
 * `provider: rate limited (429): Gmail rate limit (rateLimitExceeded)`. Never the SQL statement or
 * its parameters (a database error's message carries both, message bodies included: 124 KB was
 * seen in a mailbox's last error); `failureDetails` gives the rest to debug logs, still without
 * the message text.
 */
export const MAX_FAILURE_REASON_CHARS = 300;

const PROVIDER_KIND: Record<ProviderErrorKind, string> = {
  AUTH_REVOKED: 'access revoked',
  SCOPE_MISSING: 'permission not granted',
  RATE_LIMITED: 'rate limited',
  CURSOR_INVALID: 'sync cursor expired',
  NOT_FOUND: 'not found',
  TRANSIENT: 'temporarily unavailable',
  PERMANENT: 'request refused',
};

export function failureReason(err: unknown): string {
  return cutCodePoints(oneLine(classify(err)), MAX_FAILURE_REASON_CHARS);
}

function classify(err: unknown): string {
  // First: a provider adapter may have wrapped it. Its own sentence names the setting to fix.
  const config = causes(err).find((e) => e instanceof SecretBoxError);
  if (config !== undefined) {
    return config.message;
  }
  if (err instanceof ProviderError) {
    const status = err.status === undefined ? '' : ` (${err.status})`;
    return `provider: ${PROVIDER_KIND[err.kind]}${status}: ${err.message}`;
  }
  const db = causes(err).find(isDbError);
  if (db !== undefined) {
    return `database: ${dbErrorSummary(db)}`;
  }
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * For debug logs: what kind of error, its code and where it was thrown (stack frames only; the
 * first stack line repeats the message, which for a database error holds the statement).
 */
export function failureDetails(err: unknown): Record<string, unknown> {
  return {
    reason: failureReason(err),
    chain: causes(err).map((e) => ({
      name: e instanceof Error ? e.name : typeof e,
      code: (e as { code?: unknown } | null)?.code,
      frames: e instanceof Error ? (e.stack ?? '').split('\n').filter(isFrame).slice(0, 15) : [],
    })),
  };
}

const isFrame = (line: string) => /^\s+at /.test(line);

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The error and its causes, outermost first (bounded: a cause chain can be a cycle). */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && out.length < 5;) {
    out.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}
