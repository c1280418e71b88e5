import { domainToASCII } from 'node:url';

/**
 * One spelling per Message-ID (also In-Reply-To and References entries), so that copies of one
 * message compare equal across mailboxes and providers: `<id>` form, and an internationalised
 * id-right (RFC 6532 allows raw UTF-8 there) in its ASCII (punycode) form, as addresses are
 * (addresses/address.ts). `<x@bücher.de>` from an SMTPUTF8 server and `<x@xn--bcher-kva.de>` from
 * one that downgraded it are one message. ASCII ids are left exactly as written: RFC 5322 ids are
 * case-sensitive, and changing stored ids would split threads already stored.
 *
 * Returns null when the value holds no id (empty, or words with spaces and no `<…>`).
 */
export function normalizeMessageId(value: string | undefined): string | null {
  const id = extractId(value);
  // eslint-disable-next-line no-control-regex -- the ASCII range, not control characters
  if (id === null || !/[^\x00-\x7f]/.test(id)) {
    return id;
  }
  const inner = id.slice(1, -1).normalize('NFC');
  const at = inner.lastIndexOf('@');
  if (at < 0) {
    return `<${inner}>`;
  }
  const right = inner.slice(at + 1);
  // A domain literal (`[…]`) or an id-right that is not a valid IDN stays as written.
  const ascii = right.startsWith('[') ? '' : domainToASCII(right);
  return `<${inner.slice(0, at)}@${ascii || right}>`;
}

function extractId(value: string | undefined): string | null {
  const m = value ? /<[^<>\s]+>/.exec(value) : null;
  if (m) {
    return m[0];
  }
  const bare = value?.trim();
  return bare && !/\s/.test(bare) ? `<${bare.replace(/^<|>$/g, '')}>` : null;
}
