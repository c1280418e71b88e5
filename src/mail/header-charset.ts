import { isUtf8 } from 'node:buffer';
import { headerSectionEnd } from './header-section.ts';

/**
 * 8-bit bytes in a header section. RFC 6532 (sent by SMTPUTF8 servers) allows raw UTF-8 there, and
 * legacy mailers still write raw latin1. mailparser reads the two views of a header differently:
 * its decoded fields (`from`, `subject`, …) as UTF-8 with U+FFFD for anything invalid, its
 * `headerLines` (which we read Message-ID, References, Date and the automation markers from) as
 * one byte per character, so `bücher` became `bÃ¼cher` there. Two steps make both views agree:
 *
 * 1. `utf8HeaderSection` (before mailparser): every header field whose 8-bit bytes are not valid
 *    UTF-8 is transcoded from latin1 to UTF-8, field by field, so a UTF-8 From and a latin1
 *    Subject in one message both survive. The body is left alone: its bytes belong to its own
 *    Content-Type charset.
 * 2. `decodeHeaderLine` (after): a `headerLines` entry is read back as the UTF-8 it now is.
 */

/** The raw message with its header section made valid UTF-8; the same buffer if it already is. */
export function utf8HeaderSection(raw: Buffer, maxHeaderBytes: number): Buffer {
  const end = headerSectionEnd(raw, maxHeaderBytes + 4);
  const header = raw.subarray(0, end < 0 ? raw.length : end);
  if (isUtf8(header)) {
    return raw;
  }
  const fields = splitFields(header).map((field) =>
    isUtf8(field) ? field : Buffer.from(field.toString('latin1'), 'utf8'),
  );
  return Buffer.concat([...fields, raw.subarray(header.length)]);
}

/**
 * Header fields with their line ends: a field is a line plus the folded lines after it (those
 * starting with a space or a tab, RFC 5322 §2.2.3).
 */
function splitFields(header: Buffer): Buffer[] {
  const fields: Buffer[] = [];
  let start = 0;
  let at = 0;
  while (at < header.length) {
    const nl = header.indexOf(0x0a, at);
    const next = nl < 0 ? header.length : nl + 1;
    const following = header[next];
    if (following !== 0x20 && following !== 0x09) {
      fields.push(header.subarray(start, next));
      start = next;
    }
    at = next;
  }
  return fields;
}

/** A mailparser `headerLines` entry (one character per byte) read as UTF-8, else as it is. */
export function decodeHeaderLine(line: string): string {
  // eslint-disable-next-line no-control-regex -- the ASCII range, not control characters
  if (!/[^\x00-\x7f]/.test(line)) {
    return line;
  }
  const bytes = Buffer.from(line, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : line;
}
