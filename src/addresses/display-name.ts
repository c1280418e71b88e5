/**
 * Turns a display name (already RFC 2047-decoded by mailparser) into first and last name.
 *
 * - `"Doe, Jane"` is "Last, First" (one comma, both sides non-empty).
 * - `Jane Doe` is first token / the rest (`Jean van der Berg` keeps `van der Berg` together).
 * - A trailing `(Acme)` or `[Acme]` comment and surrounding quotes are dropped.
 * - An address used as a name (`"jane@acme.com" <jane@acme.com>`) is not a name, nor is text
 *   that failed to decode.
 */
export interface PersonName {
  firstName: string;
  lastName: string;
}

const EMPTY: PersonName = { firstName: '', lastName: '' };

export function cleanDisplayName(raw: string | undefined | null): string {
  if (!raw) {
    return '';
  }
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  let name = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  // Strip matched outer quotes, possibly nested ("'Jane Doe'").
  for (;;) {
    const m = /^(["'`])(.*)\1$/s.exec(name);
    if (!m) {
      break;
    }
    name = (m[2] ?? '').trim();
  }
  name = name.replace(/\s*[([][^()[\]]*[)\]]\s*$/, '').trim();
  name = name.replace(/\\(.)/g, '$1');
  return name.replace(/\s+/g, ' ');
}

export function parseDisplayName(raw: string | undefined | null, address?: string): PersonName {
  const name = cleanDisplayName(raw);
  // '@' means an address used as a name; U+FFFD means undeclared 8-bit bytes that did not decode.
  if (!name || name.includes('@') || name.includes('\uFFFD')) {
    return EMPTY;
  }
  if (address && name.toLowerCase() === address.toLowerCase()) {
    return EMPTY;
  }
  // No letters at all (e.g. "-", "???", a phone number) is not a name.
  if (!/\p{L}/u.test(name)) {
    return EMPTY;
  }
  const parts = name.split(',');
  if (parts.length === 2) {
    const last = (parts[0] ?? '').trim();
    const first = (parts[1] ?? '').trim();
    if (first && last) {
      return { firstName: first, lastName: last };
    }
  }
  const cleaned = name.replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
  const [first = '', ...rest] = cleaned.split(' ');
  return { firstName: first, lastName: rest.join(' ') };
}
