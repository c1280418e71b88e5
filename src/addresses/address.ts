import { domainToASCII } from 'node:url';

/**
 * Address normalisation: trimmed, lower-cased, IDN domain converted to ASCII (punycode), so that
 * `Bob@Bücher.example` and `bob@xn--bcher-kva.example` are one person. Returns null for anything
 * that is not a usable internet address (no domain, no dot in the domain, spaces, bad IDN).
 */
export function normalizeAddress(raw: string): string | null {
  // NFC: a UTF-8 local part (RFC 6532) may come decomposed from one client and composed from another.
  let value = raw.trim().normalize('NFC');
  // Some clients wrap the address in angle brackets or leave a trailing dot; be lenient.
  if (value.startsWith('<') && value.endsWith('>')) {
    value = value.slice(1, -1).trim();
  }
  value = value.replace(/^mailto:/i, '');
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) {
    return null;
  }
  const local = value.slice(0, at);
  const domainRaw = value.slice(at + 1).replace(/\.$/, '');
  if (/[\s<>()[\]\\,;:]/.test(local) && !/^".*"$/.test(local)) {
    return null;
  }
  if (local.length > 64 || domainRaw.length > 253) {
    return null;
  }
  const domain = domainToASCII(domainRaw.toLowerCase());
  if (!domain || !domain.includes('.') || domain.split('.').some((label) => label === '')) {
    return null;
  }
  // The top-level label must be alphabetic (or an IDN/punycode TLD): rules out `a@1.2.3.4`.
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (!/^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld)) {
    return null;
  }
  return `${local.toLowerCase()}@${domain}`;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

/** True when `domain` is `parent` or one of its subdomains. */
export function isDomainOrSubdomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}
