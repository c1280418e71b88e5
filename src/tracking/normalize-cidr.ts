import ipaddr from 'ipaddr.js';

/**
 * One address range as a shipped IP range list stores it: a CIDR in its canonical text (IPv4
 * dotted quad, IPv6 RFC 5952), a lone address as a host range (/32, /128).
 */
export interface Cidr {
  text: string;
  kind: 'ipv4' | 'ipv6';
  bytes: number[];
  bits: number;
}

/**
 * `raw` as a canonical CIDR, or why it is not one. Strict on purpose: IPv4 must be four decimal
 * parts (ipaddr.js would read `010.0.0.1` or `10.1` as other addresses), and a range whose
 * address has host bits set (`40.92.1.0/15`) is refused with the network it probably means,
 * since a list copied wrong should fail loudly rather than match something else.
 */
export function normalizeCidr(raw: string): Cidr | { error: string } {
  const value = raw.trim();
  const slash = value.lastIndexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const prefix = slash === -1 ? null : value.slice(slash + 1);
  if (address.includes('%')) {
    return { error: `not an IP address or CIDR (zone id): ${value}` };
  }
  let kind: Cidr['kind'];
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
    kind = 'ipv4';
  } else if (ipaddr.IPv6.isValid(address)) {
    kind = 'ipv6';
  } else {
    return { error: `not an IP address or CIDR: ${value}` };
  }
  const maxBits = kind === 'ipv4' ? 32 : 128;
  if (prefix !== null && !/^\d{1,3}$/.test(prefix)) {
    return { error: `not a CIDR (prefix length): ${value}` };
  }
  const bits = prefix === null ? maxBits : Number(prefix);
  const cidr = `${address}/${String(bits)}`;
  if (bits > maxBits || !ipaddr.isValidCIDR(cidr)) {
    return { error: `not a CIDR (prefix length above ${String(maxBits)}): ${value}` };
  }
  const [parsed] = ipaddr.parseCIDR(cidr);
  const network =
    kind === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  const text = (a: ipaddr.IPv4 | ipaddr.IPv6) =>
    a.kind() === 'ipv4' ? a.toString() : (a as ipaddr.IPv6).toRFC5952String();
  if (text(network) !== text(parsed)) {
    return {
      error: `host bits set in ${value} (the network is ${text(network)}/${String(bits)})`,
    };
  }
  return { text: `${text(network)}/${String(bits)}`, kind, bytes: network.toByteArray(), bits };
}

/** IPv4 before IPv6, then by address, then the wider range first. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.kind !== b.kind) {
    return a.kind === 'ipv4' ? -1 : 1;
  }
  for (let i = 0; i < a.bytes.length; i++) {
    const d = (a.bytes[i] ?? 0) - (b.bytes[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return a.bits - b.bits;
}
