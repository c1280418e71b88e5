import { randomBytes } from 'node:crypto';

/**
 * Small edits on raw MIME as Exchange makes them to a message it sends: decoding the base64 body
 * of the MIME forms, filling in the headers a sender may leave out, and dropping `Bcc` from the
 * copies recipients get (RFC 5322 §3.6.3). Header edits work on the header block only, so the
 * body's bytes stay exactly as the client sent them.
 */

/** The MIME a `text/plain` request body carries in base64, or null when it is not valid base64. */
export function decodeBase64Mime(body: unknown): Buffer | null {
  const text = typeof body === 'string' ? body.replace(/\s+/g, '') : '';
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    return null;
  }
  const raw = Buffer.from(text, 'base64');
  // Base64 of something that is not a message (no header line first) is refused the same way.
  return /^[\x21-\x39\x3b-\x7e]+:/.test(raw.toString('latin1')) ? raw : null;
}

/** Where the header block ends (the index of the blank line), or the whole length without one. */
function headerEnd(raw: Buffer): number {
  const text = raw.toString('latin1');
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length > 0 ? Math.min(...ends) : text.length;
}

/** The unfolded header lines of the header block. */
function headerLines(raw: Buffer): string[] {
  return raw
    .subarray(0, headerEnd(raw))
    .toString('latin1')
    .split(/\r?\n(?![ \t])/)
    .filter(Boolean);
}

export function hasHeader(raw: Buffer, name: string): boolean {
  const lower = `${name.toLowerCase()}:`;
  return headerLines(raw).some((line) => line.toLowerCase().startsWith(lower));
}

/** The message without any header of that name (folded continuation lines included). */
export function withoutHeader(raw: Buffer, name: string): Buffer {
  const end = headerEnd(raw);
  const lower = `${name.toLowerCase()}:`;
  const eol = raw.subarray(0, end).includes('\r\n') ? '\r\n' : '\n';
  const kept = headerLines(raw).filter((line) => !line.toLowerCase().startsWith(lower));
  return Buffer.concat([Buffer.from(kept.join(eol), 'latin1'), raw.subarray(end)]);
}

/** The message with `name: value` first, replacing any header of that name. */
export function withHeader(raw: Buffer, name: string, value: string): Buffer {
  const rest = withoutHeader(raw, name);
  const eol = rest.includes('\r\n') ? '\r\n' : '\n';
  return Buffer.concat([Buffer.from(`${name}: ${value}${eol}`, 'latin1'), rest]);
}

/** Adds `name: value` only when the message has no such header. */
export function withDefaultHeader(raw: Buffer, name: string, value: string): Buffer {
  return hasHeader(raw, name) ? raw : withHeader(raw, name, value);
}

/** An Exchange Online-looking Message-ID (provider-apis.md §H.2). */
export function exchangeMessageId(): string {
  const server = `MWHPR1301MB${String(2000 + randomBytes(1).readUInt8(0))}`;
  const local = randomBytes(12).toString('hex').toUpperCase();
  return `<${server}${local}@${server}.namprd13.prod.outlook.com>`;
}

/** The message ids of a References or In-Reply-To value, in order. */
export function messageIds(value: string | undefined): string[] {
  return value?.match(/<[^<>\s]+>/g) ?? [];
}
