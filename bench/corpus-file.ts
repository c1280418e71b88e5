import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMessage, type GenerateOptions } from './generate-messages.ts';

/**
 * Generated messages written once to a temporary file and read back one at a time, so a
 * benchmark can feed the same corpus twice (parse-only baseline, pipeline) without its process
 * holding it: what the benchmark process measures is then the code under test, not the corpus.
 * Generating is not timed (it is as slow as parsing); reading one message back costs little.
 */
export interface CorpusEntry {
  providerMessageId: string;
  offset: number;
  length: number;
}

export interface CorpusFile {
  entries: CorpusEntry[];
  read(entry: CorpusEntry): Promise<Buffer>;
  /** Every message, one at a time, in order. */
  raws(): AsyncIterable<Buffer>;
  remove(): Promise<void>;
}

export async function writeCorpusFile(options: GenerateOptions): Promise<CorpusFile> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-bench-'));
  let file: FileHandle | null = null;
  try {
    file = await open(join(dir, 'corpus.eml'), 'w+');
    const entries: CorpusEntry[] = [];
    let offset = 0;
    for (let i = 0; i < options.count; i++) {
      const { raw, providerMessageId } = generateMessage(i, options);
      await file.write(raw, 0, raw.length, offset);
      entries.push({ providerMessageId, offset, length: raw.length });
      offset += raw.length;
    }
    const handle = file;
    const read = async (entry: CorpusEntry) => {
      const raw = Buffer.allocUnsafe(entry.length);
      await handle.read(raw, 0, entry.length, entry.offset);
      return raw;
    };
    return {
      entries,
      read,
      async *raws() {
        for (const entry of entries) {
          yield await read(entry);
        }
      },
      async remove() {
        await handle.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await file?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
