import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  collectEmlFiles,
  emlSource,
  hasHeaderSection,
  NOT_AN_EMAIL,
} from '../../src/ingest/eml-sources.ts';

const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

/** Deterministic "random" bytes: a SHA-256 chain. */
function noise(length: number, seed: string): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  while (blocks.length * 32 < length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, length);
}

const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  noise(200, 'png'),
]);

describe('hasHeaderSection', () => {
  it('accepts every message of the corpus but the two files in it that are not email', async () => {
    // enmime's erroneous.raw is the text "// Not an RFC-822 Document"; spamscope's mail_outlook_1
    // is an Outlook .msg (a compound file), not RFC 5322. MANIFEST.tsv lists neither with a From,
    // Date, Message-ID or Subject.
    const notEmail = ['enmime__mail_erroneous.eml', 'spamscope__mail_outlook_1.eml'];
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThan(350);
    const refused: string[] = [];
    for (const file of files) {
      if (!hasHeaderSection(await readFile(join(CORPUS, file)))) {
        refused.push(file);
      }
    }
    expect(refused).toEqual(notEmail);
  });

  it.each([
    ['package.json', async () => readFile(PACKAGE_JSON)],
    ['a PNG', () => Promise.resolve(PNG)],
    ['random bytes', () => Promise.resolve(noise(4096, 'random'))],
    ['an empty file', () => Promise.resolve(Buffer.alloc(0))],
    ['blank lines', () => Promise.resolve(Buffer.from('\n\n  \n'))],
    ['prose', () => Promise.resolve(Buffer.from('Dear Sir,\nFrom: me\n'))],
    ['one-line JSON', () => Promise.resolve(Buffer.from('{"subject": "hi", "from": "a@b.c"}\n'))],
    [
      'header fields, none of them a message field',
      () => Promise.resolve(Buffer.from('X-Note: 1\nX-Other: 2\n\nSubject: hi\n')),
    ],
    [
      'a Subject only after the header section',
      () => Promise.resolve(Buffer.from('X-Note: 1\n\nSubject: hi\n')),
    ],
  ])('refuses %s', async (_name, bytes) => {
    expect(hasHeaderSection(await bytes())).toBe(false);
  });

  it.each([
    ['a plain message', 'Subject: hi\r\n\r\nbody'],
    [
      'a message with the identifying field later',
      'X-Note: 1\nContent-Type: text/plain\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nx',
    ],
    ['an mbox From line', 'From a@b.c  Mon Jan  1 00:00:00 2024\nFrom: a@b.c\n\nx'],
    ['a byte-order mark', '\ufeffFrom: <a@b.c>\n\nx'],
    ['a folded first field', 'Received: from a\n\tby b;\n Mon, 1 Jan 2024\nTo: c@d.e\n\nx'],
    ['headers only', 'Message-ID: <1@b.c>'],
  ])('accepts %s', (_name, text) => {
    expect(hasHeaderSection(Buffer.from(text))).toBe(true);
  });
});

describe('ingest:eml sources', () => {
  it('reports symbolic links, other extensions and hidden folders instead of passing over them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-eml-'));
    await writeFile(join(dir, 'a.eml'), 'Subject: a\n\nx');
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await symlink(join(dir, 'a.eml'), join(dir, 'link.eml'));
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, '.hidden', 'b.eml'), 'Subject: b\n\nx');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'c.EML'), 'Subject: c\n\nx');
    const collected = await collectEmlFiles([dir]);
    expect(collected).toEqual({
      files: [join(dir, 'a.eml'), join(dir, 'sub', 'c.EML')],
      ignored: [
        { file: join(dir, '.hidden'), reason: 'hidden folder' },
        { file: join(dir, 'link.eml'), reason: 'symbolic link, not followed' },
        { file: join(dir, 'notes.txt'), reason: 'not a .eml file' },
      ],
      failed: [],
    });
  });

  it('a file that cannot be read or is not email is a reason, not a source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-eml-'));
    await writeFile(join(dir, 'image.eml'), PNG);
    expect(await emlSource(join(dir, 'image.eml'))).toEqual({
      file: join(dir, 'image.eml'),
      reason: NOT_AN_EMAIL,
    });
    expect(await emlSource(join(dir, 'gone.eml'))).toEqual({
      file: join(dir, 'gone.eml'),
      reason: 'cannot read: ENOENT',
    });
    await writeFile(join(dir, 'ok.eml'), 'Subject: a\n\nx');
    expect(await emlSource(join(dir, 'ok.eml'))).toMatchObject({ key: join(dir, 'ok.eml') });
  });

  it('reads a file when it is loaded, not when it is listed, and notices a file that changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-eml-'));
    const file = join(dir, 'big.eml');
    // Larger than the header scan, so the check and the hash run over several chunks.
    const body = 'All work and no play. '.repeat(30_000);
    const raw = Buffer.from(`From: a@b.example\r\nSubject: big\r\n\r\n${body}\r\n`);
    await writeFile(file, raw);
    const source = await emlSource(file);
    if (!('load' in source)) {
      throw new Error(`not a source: ${source.reason}`);
    }
    expect(source.providerMessageId).toBe(
      `eml-${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`,
    );
    const loaded = await source.load();
    expect(Buffer.isBuffer(loaded) && loaded.equals(raw)).toBe(true);
    // Listing holds no bytes: what load returns is what the file holds then.
    await writeFile(file, Buffer.concat([raw, Buffer.from('tampered')]));
    await expect(source.load()).rejects.toThrow('the file changed while it was being ingested');
  });

  it('refuses a large file that is not email after reading only its start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailroom-eml-'));
    await writeFile(join(dir, 'blob.eml'), Buffer.concat(Array(2048).fill(noise(1024, 'blob'))));
    expect(await emlSource(join(dir, 'blob.eml'))).toEqual({
      file: join(dir, 'blob.eml'),
      reason: NOT_AN_EMAIL,
    });
  });
});
