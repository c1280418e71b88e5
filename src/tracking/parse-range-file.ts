import { z } from 'zod';
import { InvalidInputError } from '../errors.ts';
import { compareCidrs, normalizeCidr, type Cidr } from './normalize-cidr.ts';

/**
 * Reads a vendor's published address list into the ranges of a shipped IP range file
 * (`data/tracking-ip-ranges/*.json`, see ip-ranges.ts). Pure: text in, sorted unique CIDRs out.
 *
 * Formats, told apart by their first character or their SPF version tag:
 * - `google`: Google's ipranges JSON, `{"creationTime", "prefixes":[{"ipv4Prefix"|"ipv6Prefix"}]}`
 *   (goog.json, cloud.json, user-triggered-fetchers-google.json).
 * - `microsoft`: the Microsoft 365 endpoints web service JSON, an array of endpoint sets of
 *   which those with `ips` give addresses (endpoints.office.com/endpoints/worldwide).
 * - `spf`: SPF TXT records (`v=spf1 ip4:… ip6:… -all`), as `dig TXT` prints them; a domain's
 *   other TXT records are not SPF (RFC 7208 section 4.5) and are skipped.
 * - `list`: one address or CIDR per line; `#` starts a comment; in a CSV line only the first
 *   field counts (Apple's egress-ip-ranges.csv puts the prefix first).
 *
 * Every entry is checked (normalize-cidr.ts); the first bad one fails the whole file with its
 * line, so a half-read list is never written.
 */
export type RangeFileFormat = 'google' | 'microsoft' | 'spf' | 'list';

export interface ParsedRangeFile {
  format: RangeFileFormat;
  /** Canonical CIDRs, unique, IPv4 first, in address order. */
  ranges: string[];
}

/** An entry with the 1-based line it came from. */
interface Entry {
  value: string;
  line: number;
}

/** A file that cannot be read as ranges; `line` (1-based) when one line is at fault. */
export class RangeFileError extends InvalidInputError {
  readonly line: number | null;
  constructor(line: number | null, message: string) {
    super(line === null ? message : `line ${String(line)}: ${message}`);
    this.line = line;
  }
}

export function parseRangeFile(text: string): ParsedRangeFile {
  const format = detectFormat(text);
  const entries = ENTRIES_OF[format](text);
  const unique = new Map<string, Cidr>();
  for (const entry of entries) {
    const cidr = normalizeCidr(entry.value);
    if ('error' in cidr) {
      throw new RangeFileError(entry.line, cidr.error);
    }
    unique.set(cidr.text, cidr);
  }
  if (unique.size === 0) {
    throw new RangeFileError(null, `no address range in the file (read as ${format})`);
  }
  return { format, ranges: [...unique.values()].sort(compareCidrs).map((c) => c.text) };
}

export function detectFormat(text: string): RangeFileFormat {
  const first = text.trimStart()[0];
  if (first === '{') {
    return 'google';
  }
  if (first === '[') {
    return 'microsoft';
  }
  return /(^|["\s])v=spf1(\s|"|$)/im.test(text) ? 'spf' : 'list';
}

const ENTRIES_OF: Record<RangeFileFormat, (text: string) => Entry[]> = {
  google: googleEntries,
  microsoft: microsoftEntries,
  spf: spfEntries,
  list: listEntries,
};

/** The 1-based line of the first `"value"` in `text` (JSON has no positions after parsing). */
function lineOf(text: string, value: string): number {
  const at = text.indexOf(JSON.stringify(value));
  return at === -1 ? 1 : text.slice(0, at).split('\n').length;
}

function parseJson(text: string, format: RangeFileFormat): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RangeFileError(null, `not valid JSON (read as ${format}): ${reason}`);
  }
}

const googleFile = z.object({
  prefixes: z.array(
    z.looseObject({ ipv4Prefix: z.string().optional(), ipv6Prefix: z.string().optional() }),
  ),
});

function googleEntries(text: string): Entry[] {
  const parsed = googleFile.safeParse(parseJson(text, 'google'));
  if (!parsed.success) {
    throw new RangeFileError(
      null,
      'a JSON object but not Google’s ipranges format ({"prefixes":[{"ipv4Prefix"|"ipv6Prefix"}]})',
    );
  }
  return parsed.data.prefixes.map((p, i) => {
    const value = p.ipv4Prefix ?? p.ipv6Prefix;
    if (value === undefined) {
      throw new RangeFileError(null, `prefixes[${String(i)}] has no ipv4Prefix or ipv6Prefix`);
    }
    return { value, line: lineOf(text, value) };
  });
}

const microsoftFile = z.array(z.looseObject({ ips: z.array(z.string()).optional() }));

function microsoftEntries(text: string): Entry[] {
  const parsed = microsoftFile.safeParse(parseJson(text, 'microsoft'));
  if (!parsed.success) {
    throw new RangeFileError(
      null,
      'a JSON array but not the Microsoft 365 endpoints format ([{"ips":[...]}])',
    );
  }
  return parsed.data.flatMap((set) =>
    (set.ips ?? []).map((value) => ({ value, line: lineOf(text, value) })),
  );
}

/** Lines with their numbers, comments (`#`, and `;` for dig) and blanks left out. */
function contentLines(text: string, comment: RegExp): Entry[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ value: raw.replace(comment, '').trim(), line: i + 1 }))
    .filter((l) => l.value !== '');
}

function listEntries(text: string): Entry[] {
  return contentLines(text, /#.*$/).map((l) => ({
    value: (l.value.split(',')[0] ?? '').trim(),
    line: l.line,
  }));
}

/**
 * SPF mechanisms that name addresses only through DNS. A file with one of them is refused: this
 * command resolves nothing, and silently dropping them would write a partial list.
 */
const DNS_MECHANISMS = new Set(['include', 'a', 'mx', 'ptr', 'exists', 'redirect']);

function spfEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const line of contentLines(text, /^\s*[;#].*$/)) {
    // A TXT record longer than 255 characters comes as several quoted strings, joined without
    // a space (RFC 7208 section 3.3); dig prints the record's name and TTL before them.
    const quoted = [...line.value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '');
    const record = (quoted.length > 0 ? quoted.join('') : line.value).trim();
    const terms = record.split(/\s+/);
    if (terms[0]?.toLowerCase() !== 'v=spf1') {
      // A domain's other TXT records (site verifications) and dig's other lines: not SPF.
      continue;
    }
    for (const term of terms.slice(1)) {
      const m = /^([+\-~?]?)([a-z][a-z0-9._-]*)(?:([:=/])(.*))?$/i.exec(term);
      const qualifier = m?.[1] ?? '';
      const name = m?.[2]?.toLowerCase() ?? '';
      if (m?.[3] === '=' && name !== 'redirect') {
        continue; // `exp=` and unknown modifiers name no address (RFC 7208 section 6)
      }
      if (name === 'all') {
        continue;
      }
      if (name === 'ip4' || name === 'ip6') {
        if (qualifier !== '' && qualifier !== '+') {
          throw new RangeFileError(
            line.line,
            `${term}: an address the record does not pass; only ip4:/ip6: terms that pass are read`,
          );
        }
        entries.push({ value: m?.[4] ?? '', line: line.line });
      } else if (DNS_MECHANISMS.has(name)) {
        throw new RangeFileError(
          line.line,
          `${term} needs a DNS lookup; give the records it names (flattened) instead`,
        );
      } else {
        throw new RangeFileError(line.line, `not an SPF term: ${term}`);
      }
    }
  }
  return entries;
}
