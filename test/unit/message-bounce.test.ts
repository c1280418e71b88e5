import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { failedRecipients } from '../../src/mail/bounce/bounce-report.ts';
import { parseBounce } from '../../src/mail/bounce/parse-bounce.ts';
import { normalizeMessageId } from '../../src/mail/message-id.ts';
import { parseMime } from '../../src/mail/parse-mime.ts';

/**
 * Issue 11 item 2: the parser worker's NormalizedMessage carries the bounce report, and reading it
 * from the main parse (text-only reports) or a second parse (reports with a delivery-status part)
 * loses nothing against parseBounce on its own, over the whole corpus.
 */
const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));
const LIMITS = {
  maxMessageBytes: 30 * 1024 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxTextBodyChars: 100_000,
  maxHtmlBodyChars: 1_000_000,
};

describe('NormalizedMessage.bounce', () => {
  it('equals parseBounce for every corpus message', async () => {
    const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort();
    let reports = 0;
    let bounces = 0;
    for (const file of files) {
      const raw = await readFile(`${CORPUS}${file}`);
      const expected = await parseBounce(raw, { normalizeMessageId });
      const message = await parseMime(raw, LIMITS).catch(() => null);
      if (message === null) {
        continue;
      }
      expect({ file, bounce: message.bounce }).toEqual({ file, bounce: expected });
      reports += message.bounce ? 1 : 0;
      bounces += message.bounce && failedRecipients(message.bounce).length > 0 ? 1 : 0;
    }
    // The figures parse-bounce.test.ts pins for parseBounce alone.
    expect({ reports, bounces }).toEqual({ reports: 62, bounces: 58 });
  }, 120_000);

  it('is null for ordinary mail', async () => {
    const raw = Buffer.from(
      'From: a@x.com\r\nTo: b@y.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nHello\r\n',
    );
    expect((await parseMime(raw, LIMITS)).bounce).toBeNull();
  });
});
