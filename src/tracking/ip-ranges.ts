import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * Published address ranges of image proxies and mail scanners, shipped as dated JSON files
 * (`data/tracking-ip-ranges/*.json`): never downloaded at run time. Each file names its
 * source and the day it was retrieved; `verified: false` marks a list that is partial or whose
 * link to the scanner is not documented by the vendor.
 */
/**
 * Where the shipped lists are: the hit recorder reads them at start, `tracking:ranges` writes
 * here by default.
 */
export const SHIPPED_IP_RANGES_DIR = fileURLToPath(
  new URL('../../data/tracking-ip-ranges', import.meta.url),
);

export const ipRangeFileSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  source: z.string().min(1),
  retrievedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  verified: z.boolean().optional(),
  notes: z.string().optional(),
  ranges: z.array(z.string()),
});
export type IpRangeFile = z.infer<typeof ipRangeFileSchema>;

/** Reads every `*.json` in `dir` (sorted by name) and validates it, CIDRs included. */
export function loadIpRangeFiles(dir: string): IpRangeFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = ipRangeFileSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      for (const cidr of file.ranges) {
        if (!ipaddr.isValidCIDR(cidr)) {
          throw new Error(`${f}: not a CIDR: ${cidr}`);
        }
      }
      return file;
    });
}

export type IpRangeMatcher = (ip: string) => string | null;

/**
 * Builds the matcher once: the name of the first list containing `ip`, or null. IPv4-mapped IPv6
 * (`::ffff:40.92.1.1`, what a dual-stack socket reports) is matched as IPv4; an unparsable address
 * matches nothing.
 */
export function createIpRangeMatcher(files: readonly IpRangeFile[]): IpRangeMatcher {
  const v4: { name: string; range: [ipaddr.IPv4, number] }[] = [];
  const v6: { name: string; range: [ipaddr.IPv6, number] }[] = [];
  for (const file of files) {
    for (const cidr of file.ranges) {
      const [addr, bits] = ipaddr.parseCIDR(cidr);
      if (addr.kind() === 'ipv4') {
        v4.push({ name: file.name, range: [addr as ipaddr.IPv4, bits] });
      } else {
        v6.push({ name: file.name, range: [addr as ipaddr.IPv6, bits] });
      }
    }
  }
  return (ip) => {
    if (!ipaddr.isValid(ip)) {
      return null;
    }
    let addr = ipaddr.parse(ip);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
    }
    if (addr.kind() === 'ipv4') {
      const a = addr as ipaddr.IPv4;
      return v4.find((r) => a.match(r.range))?.name ?? null;
    }
    const a = addr as ipaddr.IPv6;
    return v6.find((r) => a.match(r.range))?.name ?? null;
  };
}
