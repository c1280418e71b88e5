import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { InvalidInputError } from '../../errors.ts';
import {
  ipRangeFileSchema,
  SHIPPED_IP_RANGES_DIR,
  type IpRangeFile,
} from '../../tracking/ip-ranges.ts';
import { normalizeCidr } from '../../tracking/normalize-cidr.ts';
import { parseRangeFile } from '../../tracking/parse-range-file.ts';
import { serializeRangeFile } from '../../tracking/serialize-range-file.ts';
import { printResult } from '../output.ts';
import { parseFlag } from '../validate.ts';

/**
 * `tracking:ranges`: refreshes one shipped IP range list (`data/tracking-ip-ranges/NAME.json`)
 * from a vendor's published file, so updating a list is a reviewed data change, never a download
 * at run time. The file's other fields are kept unless a flag replaces them; `verified` is true
 * only when `--verified` says the list is the vendor's own and complete.
 *
 * Running API processes read the lists when they start: they classify with the new list after a
 * restart.
 */
export const TRACKING_RANGES_HELP = `
Formats (detected): a list of addresses or CIDRs, one per line (# comments; CSV: first field),
Google's ipranges JSON, Microsoft 365 endpoints JSON, or SPF TXT records (ip4:/ip6: terms).
Every entry is checked; the first invalid one, or an empty result, fails with its line and
nothing is written. Running API processes load the lists at start: restart them to use it.`;

const nameSchema = ipRangeFileSchema.shape.name.describe('name');
const dateSchema = z.iso.date({ message: 'must be a date, YYYY-MM-DD' });

interface Flags {
  name: string;
  file: string;
  source?: string;
  retrievedAt?: string;
  verified?: boolean;
  notes?: string;
  dir?: string;
}

/** The list already at `path`, or null; a file there that is not a valid list is refused. */
async function currentList(path: string): Promise<IpRangeFile | null> {
  if (!existsSync(path)) {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    json = null;
  }
  const parsed = ipRangeFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidInputError(`${path} is not a valid range list; fix or remove it first`);
  }
  return parsed.data;
}

const canonical = (cidr: string): string => {
  const c = normalizeCidr(cidr);
  return 'error' in c ? cidr : c.text;
};

export function registerTrackingRanges(cmd: Command): void {
  cmd
    .requiredOption('--name <name>', 'the list’s name (a-z, 0-9, -): writes NAME.json')
    .requiredOption('--file <path>', 'the vendor’s published file')
    .option('--source <text>', 'where the file came from (kept from the current list if omitted)')
    .option('--retrieved-at <date>', 'the day the file was retrieved, YYYY-MM-DD (default: today)')
    .option('--verified', 'the list is the vendor’s own, complete list of the scanner’s addresses')
    .option('--notes <text>', 'notes on the list (kept from the current list if omitted)')
    .option('--dir <path>', 'the folder of the lists', SHIPPED_IP_RANGES_DIR)
    .addHelpText('after', TRACKING_RANGES_HELP)
    .action(async (opts: Flags) => {
      const name = parseFlag('name', nameSchema, opts.name);
      const retrievedAt = parseFlag(
        'retrieved-at',
        dateSchema,
        opts.retrievedAt ?? new Date().toISOString().slice(0, 10),
      );
      let text: string;
      try {
        text = await readFile(opts.file, 'utf8');
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new InvalidInputError(`--file: cannot read ${opts.file} (${String(code)})`);
      }
      let ranges: string[];
      try {
        ({ ranges } = parseRangeFile(text));
      } catch (err) {
        throw err instanceof InvalidInputError
          ? new InvalidInputError(`${opts.file}: ${err.message}`)
          : err;
      }

      const path = resolve(join(opts.dir ?? SHIPPED_IP_RANGES_DIR, `${name}.json`));
      const current = await currentList(path);
      const source = opts.source ?? current?.source;
      if (source === undefined || source.trim() === '') {
        throw new InvalidInputError('--source: required for a new list (where the file came from)');
      }
      const notes = opts.notes ?? current?.notes;
      const next: IpRangeFile = ipRangeFileSchema.parse({
        name,
        source,
        retrievedAt,
        verified: opts.verified === true,
        ...(notes === undefined || notes === '' ? {} : { notes }),
        ranges,
      });

      const before = new Set((current?.ranges ?? []).map(canonical));
      const after = new Set(ranges);
      // Written beside the list and renamed over it: a reader never sees half a file.
      const temp = `${path}.${String(process.pid)}.tmp`;
      await writeFile(temp, serializeRangeFile(next), 'utf8');
      await rename(temp, path);
      printResult({
        name,
        ranges: ranges.length,
        added: ranges.filter((r) => !before.has(r)).length,
        removed: [...before].filter((r) => !after.has(r)).length,
        path,
      });
    });
}
