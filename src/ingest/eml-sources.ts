import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../errors.ts';
import type { RawSource } from './ingest-pipeline.ts';

/**
 * Files named on the command line are taken as they are; folders are walked recursively for
 * `*.eml` files. The provider id of a file is the hash of its bytes, so ingesting the same file
 * twice, from any path, is the same message.
 */
export async function collectEmlFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith('.')) {
        await walk(full);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.eml')) {
        files.push(full);
      }
    }
  };
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) {
      throw new InvalidInputError(`no such file or folder: ${path}`);
    }
    if (info.isDirectory()) {
      await walk(path);
    } else {
      files.push(path);
    }
  }
  return files;
}

export async function emlSource(file: string): Promise<RawSource> {
  const raw = await readFile(file);
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 40);
  return {
    key: file,
    providerMessageId: `eml-${hash}`,
    providerThreadId: null,
    labels: [],
    load: () => Promise.resolve(raw),
  };
}
