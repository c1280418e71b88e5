import { ConnectionException } from '@mikro-orm/core';
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
 * A short reason for a refused row, fit for the failure ledger and logs: the SQLSTATE and the
 * server's own sentence, never the statement (which carries message bodies).
 */
export function dbErrorReason(err: unknown): string {
  const code = codeOf(err) ?? 'unknown';
  const message = err instanceof Error ? err.message : String(err);
  // The driver prefixes the server's message with the whole statement: keep only the message.
  const sep = message.lastIndexOf(' - ');
  const text = (sep >= 0 ? message.slice(sep + 3) : message).replace(/\s+/g, ' ').trim();
  return `database refused the message (SQLSTATE ${code}): ${cutCodePoints(text, MAX_REASON_CHARS)}`;
}
