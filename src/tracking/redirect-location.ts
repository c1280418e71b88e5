/**
 * The `Location` of a click redirect: the stored URL, character for character, except that what
 * an HTTP header cannot carry (anything outside printable ASCII: non-ASCII letters, spaces,
 * controls) is percent-encoded as UTF-8. That is what a browser does itself when it follows such
 * an `href` (the WHATWG URL parser percent-encodes the path, query and fragment, and decodes a
 * percent-encoded host before IDNA), so the reader lands on the same resource; an ASCII URL is
 * sent exactly as written, query, fragment and existing escapes included.
 */
export function redirectLocation(url: string): string {
  let out = '';
  for (const ch of url) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}
