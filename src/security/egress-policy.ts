import ipaddr from 'ipaddr.js';

/**
 * Which peer addresses an outgoing webhook may reach (product.md, `MAILROOM_WEBHOOK_EGRESS`):
 * - `public` (default): only addresses ipaddr.js classifies as plain `unicast`; loopback, private,
 *   link-local, unique-local, multicast, unspecified, broadcast, carrier-grade NAT, reserved,
 *   documentation and the other special-purpose ranges are refused.
 * - `private`: everything except link-local (169.254.0.0/16, the cloud metadata endpoint
 *   169.254.169.254, fe80::/10) and unspecified (0.0.0.0/8, ::) addresses.
 *
 * IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`,
 * SIIT `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo) are judged by the IPv4
 * address inside too, because the packets end up there (a NAT64 gateway or the kernel's mapped
 * socket will happily connect `[::ffff:127.0.0.1]` to loopback). Ranges come from ipaddr.js; this
 * file only reads the embedded address out of the forms ipaddr.js names.
 */
export type EgressPolicy = 'public' | 'private';

export const EGRESS_POLICIES: readonly EgressPolicy[] = ['public', 'private'];

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The words a refusal uses for each ipaddr.js range name. */
const RANGE_WORDS: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  reserved: 'reserved',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  teredo: 'Teredo',
};

/** Ranges `private` refuses, IPv4 and IPv6 alike (ipaddr.js uses the same names for both). */
const REFUSED_BY_PRIVATE = new Set(['unspecified', 'linkLocal']);

/** IPv6 ranges that embed an IPv4 address: allowed under `public` when the embedded one is. */
const EMBEDDING_RANGES = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'ipv4Compatible']);

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

function v4FromParts(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/** The IPv6 range name, with the deprecated IPv4-compatible form (RFC 4291 §2.5.5.1) named too. */
function rangeOf(addr: Address): string {
  const range = addr.range();
  if (addr.kind() === 'ipv6' && range === 'unicast' && addr.match(IPV4_COMPATIBLE)) {
    return 'ipv4Compatible';
  }
  return range;
}

/** The IPv4 addresses an IPv6 address carries, by its form (RFC 4291, 6052, 6145, 3056, 4380). */
function embeddedIPv4(addr: ipaddr.IPv6, range: string): ipaddr.IPv4[] {
  const p = addr.parts;
  const at = (i: number) => p[i] ?? 0;
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
    case 'ipv4Compatible':
      return [v4FromParts(at(6), at(7))];
    case '6to4':
      return [v4FromParts(at(1), at(2))];
    case 'teredo':
      // Server in bits 32-63, client in the last 32 bits, inverted (RFC 4380 §4).
      return [v4FromParts(at(2), at(3)), v4FromParts(~at(6) & 0xffff, ~at(7) & 0xffff)];
    default:
      return [];
  }
}

function describe(range: string): string {
  return RANGE_WORDS[range] ?? `special-purpose (${range})`;
}

/**
 * Why `policy` refuses to connect to `address` (e.g. "loopback", "private (embedded in an
 * IPv4-mapped IPv6 address)"), or null when it may. Unparseable input is refused.
 */
export function refusalReason(address: string, policy: EgressPolicy): string | null {
  if (!ipaddr.isValid(address)) {
    return 'not an IP address';
  }
  return reasonFor(ipaddr.parse(address), policy);
}

function reasonFor(addr: Address, policy: EgressPolicy): string | null {
  const range = rangeOf(addr);
  const embedded = addr.kind() === 'ipv6' ? embeddedIPv4(addr as ipaddr.IPv6, range) : [];
  for (const v4 of embedded) {
    const inner = reasonFor(v4, policy);
    if (inner !== null) {
      return `${inner} (${v4.toString()} inside ${addr.toString()})`;
    }
  }
  if (policy === 'private') {
    return REFUSED_BY_PRIVATE.has(range) ? describe(range) : null;
  }
  if (range === 'unicast' || EMBEDDING_RANGES.has(range)) {
    return null;
  }
  return describe(range);
}
