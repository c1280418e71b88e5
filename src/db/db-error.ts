import { ConnectionException, DriverException } from '@mikro-orm/core';
import { cutCodePoints } from '../mail/pg-text.ts';

/**
 * What a database error means for the work that hit it:
 * - `permanent`: the data is refused (SQLSTATE class 22 data exception, e.g. an invalid byte
 *   sequence or an out-of-range value; class 23 integrity constraint violation). Retrying the
 *   same row fails the same way: the message is recorded as failed, the others go on.
 * - `transient`: the connection or the server is in trouble (class 08, 53, 57P0x, a socket
 *   error), the transaction lost a race (40001, 40P01), or a session timeout fired (55P03
 *   lock_timeout, 57014 statement_timeout, 25P03 idle-in-transaction). Retrying later is right.
 * - `unknown`: anything else (our own bug, a schema problem); callers treat it as today.
 */
export type DbErrorClass = 'permanent' | 'transient' | 'unknown';

const TRANSIENT_SQLSTATES = new Set([
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '55P03',
  '57014',
  '25P03',
]);
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifyDbError(err: unknown): DbErrorClass {
  const code = codeOf(err);
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (code.startsWith('22') || code.startsWith('23')) {
      return 'permanent';
    }
    if (code.startsWith('08') || code.startsWith('53') || TRANSIENT_SQLSTATES.has(code)) {
      return 'transient';
    }
    return 'unknown';
  }
  if (err instanceof ConnectionException || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return 'transient';
  }
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection (?:is )?closed|timeout exceeded when trying to connect/i.test(
    message,
  )
    ? 'transient'
    : 'unknown';
}

const MAX_REASON_CHARS = 200;

/**
 * The server's own sentence about a database error, on one line. The driver prefixes it with the
 * whole statement, its parameters inlined (message bodies, 124 KB seen in a mailbox's last error):
 * only what follows the last ` - ` is the server's.
 */
function serverSentence(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const sep = message.lastIndexOf(' - ');
  return (sep >= 0 ? message.slice(sep + 3) : message).replace(/\s+/g, ' ').trim();
}

/**
 * A short reason for a refused row, fit for the failure ledger and logs: the SQLSTATE and the
 * server's own sentence, never the statement (which carries message bodies).
 */
export function dbErrorReason(err: unknown): string {
  const code = codeOf(err) ?? 'unknown';
  return `database refused the message (SQLSTATE ${code}): ${cutCodePoints(serverSentence(err), MAX_REASON_CHARS)}`;
}

/**
 * Whether an error came from the database or its driver: a MikroORM driver exception (which
 * includes connection errors), or a PostgreSQL error with its SQLSTATE.
 */
export function isDbError(err: unknown): boolean {
  const code = codeOf(err);
  return (
    err instanceof DriverException ||
    (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && err instanceof Error && 'severity' in err)
  );
}

/** A database error as a short line, e.g. `value too long for type character varying(3) (22001)`. */
export function dbErrorSummary(err: unknown): string {
  const code = codeOf(err);
  const text = cutCodePoints(serverSentence(err), MAX_REASON_CHARS);
  return code ? `${text} (${code})` : text;
}
