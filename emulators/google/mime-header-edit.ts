/**
 * Edits the header block of a raw RFC 822 message and leaves its body byte for byte as it was, as
 * Gmail does when it stamps a sent message (its own Message-ID, a Date, a From) or delivers a copy
 * without the Bcc line. Works on latin1 text, which maps each byte to one character and back.
 */
export interface HeaderEdits {
  /** Header names (any case) whose fields are dropped, folded continuation lines included. */
  remove?: string[];
  /** Fields appended after the remaining ones, in order. */
  add?: [name: string, value: string][];
}

export function editHeaders(raw: Buffer, edits: HeaderEdits): Buffer {
  const text = raw.toString('latin1');
  const blank = /\r?\n\r?\n/.exec(text);
  const head = blank ? text.slice(0, blank.index) : text.replace(/\r?\n$/, '');
  const body = blank ? raw.subarray(blank.index + blank[0].length) : Buffer.alloc(0);
  const eol = head.includes('\r\n') || !/\n/.test(text) ? '\r\n' : '\n';
  const remove = new Set((edits.remove ?? []).map((n) => n.toLowerCase()));
  // One entry per field: a line that starts with white space continues the field above it.
  const fields = head === '' ? [] : head.split(/\r?\n(?![ \t])/);
  const kept = fields.filter((f) => !remove.has(f.slice(0, f.indexOf(':')).trim().toLowerCase()));
  const added = (edits.add ?? []).map(([name, value]) => `${name}: ${value}`);
  return Buffer.concat([Buffer.from([...kept, ...added].join(eol) + eol + eol, 'latin1'), body]);
}
