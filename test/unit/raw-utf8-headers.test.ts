import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/addresses/address.ts';
import { normalizeMessageId } from '../../src/mail/message-id.ts';
import { parseMime } from '../../src/mail/parse-mime.ts';
import { buildEml } from '../helpers/build-eml.ts';

/**
 * Issue 10 item 5: header bytes that are raw UTF-8 (RFC 6532, as SMTPUTF8 servers send them) are
 * read as UTF-8, everywhere the parser reads a header; 8-bit bytes that are not valid UTF-8 fall
 * back to latin1, field by field; IDN domains in Message-IDs compare in their ASCII form.
 */
const LIMITS = {
  maxMessageBytes: 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxTextBodyChars: 10_000,
  maxHtmlBodyChars: 100_000,
};
const parse = (raw: Buffer) => parseMime(raw, LIMITS);

describe('raw UTF-8 headers (RFC 6532)', () => {
  it('reads an IDN domain in From, Message-ID, In-Reply-To and References as UTF-8', async () => {
    const m = await parse(
      buildEml({
        from: 'Jürgen Groß <jürgen@bücher-beispiel.de>',
        to: ['bob@example.com'],
        subject: 'Grüße aus München',
        messageId: '<abc.123@bücher-beispiel.de>',
        inReplyTo: '<root.1@bücher-beispiel.de>',
        references: ['<root.1@bücher-beispiel.de>'],
      }),
    );
    expect(m.internetMessageId).toBe('<abc.123@xn--bcher-beispiel-gsb.de>');
    expect(m.inReplyTo).toBe('<root.1@xn--bcher-beispiel-gsb.de>');
    expect(m.references).toEqual(['<root.1@xn--bcher-beispiel-gsb.de>']);
    expect(m.from).toEqual([{ address: 'jürgen@bücher-beispiel.de', name: 'Jürgen Groß' }]);
    expect(normalizeAddress(m.from[0]?.address ?? '')).toBe('jürgen@xn--bcher-beispiel-gsb.de');
    expect(m.subject).toBe('Grüße aus München');
  });

  it('reads a Chinese display name and subject', async () => {
    const m = await parse(
      buildEml({
        from: '张伟 <zhang.wei@example.cn>',
        to: ['"李娜" <li.na@example.cn>'],
        subject: '会议纪要',
        messageId: '<会议.1@例子.中国>',
      }),
    );
    expect(m.from).toEqual([{ address: 'zhang.wei@example.cn', name: '张伟' }]);
    expect(m.to).toEqual([{ address: 'li.na@example.cn', name: '李娜' }]);
    expect(m.subject).toBe('会议纪要');
    expect(m.internetMessageId).toBe('<会议.1@xn--fsqu00a.xn--fiqs8s>');
  });

  it('reads an auto-reply subject prefix in latin1 (the fallback) and in raw UTF-8', async () => {
    for (const encoding of ['latin1', 'utf8'] as const) {
      const m = await parse(
        buildEml({ encoding, from: 'absent@example.fr', subject: 'Réponse automatique : absent' }),
      );
      expect(m.subject).toBe('Réponse automatique : absent');
      expect(m.automation.autoReply).toBe(true);
    }
  });

  it('falls back to latin1 for 8-bit header bytes that are not valid UTF-8', async () => {
    const m = await parse(
      buildEml({
        encoding: 'latin1',
        from: 'Jürgen Müller <jm@example.de>',
        subject: 'Café crème',
        messageId: '<lat.1@café.example>',
      }),
    );
    expect(m.from).toEqual([{ address: 'jm@example.de', name: 'Jürgen Müller' }]);
    expect(m.subject).toBe('Café crème');
    expect(m.internetMessageId).toBe('<lat.1@xn--caf-dma.example>');
  });

  it('decides UTF-8 or latin1 per header field, not for the whole section', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: Jürgen <j@example.de>\r\n', 'utf8'),
      Buffer.from('Subject: Café\r\n', 'latin1'),
      Buffer.from('Message-ID: <m.1@example.de>\r\nDate: Mon, 05 Oct 2026 10:00:00 +0000\r\n'),
      Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nGrüße\r\n', 'utf8'),
    ]);
    const m = await parse(raw);
    expect(m.from[0]?.name).toBe('Jürgen');
    expect(m.subject).toBe('Café');
    // The body is not a header: its bytes are left to its own charset.
    expect(m.textBody).toBe('Grüße');
  });

  it('gives the same Message-ID for the UTF-8, latin1-fallback and punycode spellings', async () => {
    const spellings = [
      buildEml({ from: 'a@example.com', messageId: '<x.1@bücher-beispiel.de>' }),
      buildEml({
        from: 'a@example.com',
        messageId: '<x.1@bücher-beispiel.de>',
        encoding: 'latin1',
      }),
      buildEml({ from: 'a@example.com', messageId: '<x.1@xn--bcher-beispiel-gsb.de>' }),
      buildEml({ from: 'a@example.com', messageId: '<x.1@BÜCHER-beispiel.de>' }),
    ];
    const ids = await Promise.all(
      spellings.map(async (raw) => (await parse(raw)).internetMessageId),
    );
    expect(new Set(ids)).toEqual(new Set(['<x.1@xn--bcher-beispiel-gsb.de>']));
  });
});

describe('normalizeAddress with UTF-8 local parts and IDN domains', () => {
  it('gives one address for composed, decomposed and punycode spellings', () => {
    const spellings = [
      'jürgen@bücher-beispiel.de',
      'Ju\u0308rgen@Bu\u0308cher-Beispiel.de',
      'jürgen@xn--bcher-beispiel-gsb.de',
    ];
    expect(new Set(spellings.map(normalizeAddress))).toEqual(
      new Set(['jürgen@xn--bcher-beispiel-gsb.de']),
    );
  });
});

describe('normalizeMessageId', () => {
  it.each([
    ['<a@example.com>', '<a@example.com>'],
    // ASCII ids are compared as they are written (RFC 5322 ids are case-sensitive).
    ['<A.b@Example.COM>', '<A.b@Example.COM>'],
    ['  <a@example.com> (comment)', '<a@example.com>'],
    ['a@example.com', '<a@example.com>'],
    ['<a@bücher.de>', '<a@xn--bcher-kva.de>'],
    // NFD (decomposed ü) and NFC spellings are one id.
    ['<a@bu\u0308cher.de>', '<a@xn--bcher-kva.de>'],
    ['<ü@bücher.de>', '<ü@xn--bcher-kva.de>'],
    // An id-right that is not a domain (a literal, a bad IDN) stays as written, in NFC.
    ['<a@[bü]>', '<a@[bü]>'],
    ['', null],
    ['two words', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMessageId(input)).toBe(expected);
  });
});
