import ipaddr from 'ipaddr.js';

/**
 * The client address of a tracking hit (product.md, "Sending and tracking"): the socket peer's,
 * or, when the peer is a trusted proxy (`MAILROOM_TRUSTED_PROXIES`), the right-most
 * `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of the first untrusted
 * one are whatever the client chose to send and are never believed. An entry that is not an
 * address stops the walk: the hop that forwarded it (a trusted proxy) is the best known address.
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, as a dual-stack socket reports) is given as IPv4.
 */
export type TrustedProxies = (ip: string) => boolean;

function normalize(ip: string): string | null {
  const text = ip.trim();
  if (!ipaddr.isValid(text)) {
    return null;
  }
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (addr as ipaddr.IPv6).toIPv4Address().toString();
  }
  return addr.toString();
}

/** A matcher for a list of CIDRs (each already validated); an empty list trusts nothing. */
export function createTrustedProxies(cidrs: readonly string[]): TrustedProxies {
  const ranges = cidrs.map((c) => ipaddr.parseCIDR(c));
  if (ranges.length === 0) {
    return () => false;
  }
  return (ip) => {
    const text = normalize(ip);
    if (text === null) {
      return false;
    }
    const addr = ipaddr.parse(text);
    return ranges.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
  };
}

/** Longest `X-Forwarded-For` read: a bound on work per request, far above any real chain. */
const MAX_FORWARDED_ENTRIES = 32;

export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const peer = normalize(socketAddress ?? '') ?? socketAddress ?? '';
  if (!trusted(peer) || forwardedFor === undefined) {
    return peer;
  }
  // Several X-Forwarded-For headers are one list, in order (RFC 9110 5.3).
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .slice(-MAX_FORWARDED_ENTRIES)
    .reverse();
  let client = peer;
  for (const entry of entries) {
    if (entry.trim() === '') {
      continue;
    }
    const addr = normalize(entry);
    if (addr === null) {
      return client;
    }
    client = addr;
    if (!trusted(addr)) {
      return addr;
    }
  }
  return client;
}
