import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.ts';
import type { RawSource } from './ingest-pipeline.ts';

/** A file `ingest:eml` did not read or could not use, and why. */
export interface FileReport {
  file: string;
  reason: string;
}

export interface CollectedFiles {
  /** The files to ingest, in a stable order. */
  files: string[];
  /** What a folder walk passed over (symbolic links, other extensions, hidden folders). */
  ignored: FileReport[];
  /** Folders that could not be read. */
  failed: FileReport[];
}

const errorText = (err: unknown): string =>
  (err as { code?: unknown }).code === undefined
    ? (err as Error).message
    : String((err as { code?: unknown }).code);

/**
 * Files named on the command line are taken as they are; folders are walked recursively for
 * `*.eml` files. Nothing is passed over silently: symbolic links (not followed), files with
 * another extension, hidden folders and other entries are listed in `ignored` with the reason,
 * folders that cannot be read in `failed`.
 */
export async function collectEmlFiles(paths: readonly string[]): Promise<CollectedFiles> {
  const out: CollectedFiles = { files: [], ignored: [], failed: [] };
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      out.failed.push({ file: dir, reason: `cannot read: ${errorText(err)}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        out.ignored.push({ file: full, reason: 'symbolic link, not followed' });
      } else if (entry.isDirectory()) {
        if (entry.name.startsWith('.')) {
          out.ignored.push({ file: full, reason: 'hidden folder' });
        } else {
          await walk(full);
        }
      } else if (!entry.isFile()) {
        out.ignored.push({ file: full, reason: 'not a regular file' });
      } else if (entry.name.toLowerCase().endsWith('.eml')) {
        out.files.push(full);
      } else {
        out.ignored.push({ file: full, reason: 'not a .eml file' });
      }
    }
  };
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) {
      const dangling = await lstat(path).catch(() => null);
      throw new InvalidInputError(
        dangling ? `broken symbolic link: ${path}` : `no such file or folder: ${path}`,
      );
    }
    if (info.isDirectory()) {
      await walk(path);
    } else {
      out.files.push(path);
    }
  }
  return out;
}

/** How much of a file is searched for the end of its header section. */
const HEADER_SCAN_BYTES = 256 * 1024;
/** A header field's start, RFC 5322 §2.2 (leniently: words of the name may be spaced). */
const FIELD_START = /^([!-9;-~]+(?:[ \t]+[!-9;-~]+)*)[ \t]*:/;
/**
 * Fields that make a header section a message's: RFC 5322's origination, destination,
 * identification, informational and trace fields, the trace fields delivery agents add, and the
 * MIME fields of RFC 2045 (parser test suites' messages often carry nothing else).
 */
const MESSAGE_FIELDS = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'subject',
  'received',
  'return-path',
  'delivered-to',
  'mime-version',
  'content-type',
]);

/**
 * Whether bytes start with an RFC 5322 header section: the first line is a header field
 * (`name: value`) and the section (up to the first empty line) has at least one message field
 * (From, Date, Message-ID, Subject, Received, To, MIME-Version, Content-Type, …). Lenient as mail in the wild needs: a byte-order mark, blank
 * lines or spaces before the first field, and an mbox `From ` envelope line are passed over.
 * Pure; `package.json`, images and random bytes are not email.
 */
export function hasHeaderSection(raw: Buffer): boolean {
  let text = raw.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) {
    text = text.slice(3);
  }
  const lines = text.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length && /^[ \t]*$/.test(lines[i] ?? '') && i < lines.length - 1) {
    i++;
  }
  if ((lines[i] ?? '').startsWith('From ')) {
    i++;
  }
  const first = (lines[i] ?? '').replace(/^[ \t]+/, '');
  if (!FIELD_START.test(first)) {
    return false;
  }
  for (let j = i; j < lines.length; j++) {
    const line = j === i ? first : (lines[j] ?? '');
    if (line === '') {
      break;
    }
    const name = FIELD_START.exec(line)?.[1]?.toLowerCase();
    if (name !== undefined && MESSAGE_FIELDS.has(name)) {
      return true;
    }
  }
  return false;
}

export const NOT_AN_EMAIL = 'not an email message';

/**
 * One file as a pipeline source, or why it cannot be one (unreadable, or not an email message).
 * The provider id of a file is the hash of its bytes, so ingesting the same file twice, from any
 * path, is the same message.
 *
 * The file is streamed here (hashed, its start checked for a header section) and read again only
 * when the pipeline loads it, so a folder of any size never sits in memory: the pipeline holds
 * only the messages in flight. A file whose bytes changed in between fails with that reason.
 */
export async function emlSource(file: string): Promise<RawSource | FileReport> {
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headBytes = 0;
  let checked = false;
  const stream = createReadStream(file);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (!checked) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes >= HEADER_SCAN_BYTES) {
          if (!hasHeaderSection(Buffer.concat(head))) {
            stream.destroy();
            return { file, reason: NOT_AN_EMAIL };
          }
          checked = true;
          head.length = 0;
        }
      }
    }
  } catch (err) {
    return { file, reason: `cannot read: ${errorText(err)}` };
  }
  if (!checked && !hasHeaderSection(Buffer.concat(head))) {
    return { file, reason: NOT_AN_EMAIL };
  }
  const digest = hash.digest('hex').slice(0, 40);
  return {
    key: file,
    providerMessageId: `eml-${digest}`,
    providerThreadId: null,
    labels: [],
    load: async () => {
      const raw = await readFile(file);
      if (createHash('sha256').update(raw).digest('hex').slice(0, 40) !== digest) {
        throw new Error('the file changed while it was being ingested');
      }
      return raw;
    },
  };
}
