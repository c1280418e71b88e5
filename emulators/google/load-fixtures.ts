import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GmailStore } from './gmail-store.ts';

/** Loads a folder of .eml files into a user's mailbox, oldest first (history ids rise with time). */
export async function loadEmlFolder(
  store: GmailStore,
  email: string,
  dir: string,
): Promise<number> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  const raws = await Promise.all(files.map((f) => readFile(join(dir, f))));
  const dated = raws
    .map((raw) => ({
      raw,
      at: Date.parse(/^Date:\s*(.*)$/im.exec(raw.toString('latin1'))?.[1] ?? ''),
    }))
    .sort((a, b) => (a.at || 0) - (b.at || 0));
  for (const { raw } of dated) {
    store.addMessage(email, raw);
  }
  return dated.length;
}
