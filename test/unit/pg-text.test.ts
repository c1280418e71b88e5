import { describe, expect, it } from 'vitest';
import { classifyDbError, dbErrorReason } from '../../src/db/db-error.ts';
import { parseMime } from '../../src/mail/parse-mime.ts';
import { cutCodePoints, pgSafe, pgText } from '../../src/mail/pg-text.ts';

const EMOJI = '\u{1F600}';
const HIGH = '\uD83D';
const LOW = '\uDE00';
const LIMITS = {
  maxMessageBytes: 1_000_000,
  maxHeaderBytes: 64 * 1024,
  maxTextBodyChars: 1000,
  maxHtmlBodyChars: 1000,
};

/** What PostgreSQL's jsonb accepts: no `\u0000` and no unpaired surrogate escape. */
function storable(value: unknown): boolean {
  const json = JSON.stringify(value);
  return !/\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f]/i.test(
    json,
  );
}

describe('the text boundary to PostgreSQL', () => {
  it('strips NUL and lone surrogates, and keeps pairs and everything else', () => {
    expect(pgText(`a\u0000b`)).toBe('ab');
    expect(pgText(`x${HIGH}y`)).toBe('xy');
    expect(pgText(`x${LOW}y`)).toBe('xy');
    expect(pgText(`${LOW}${HIGH}`)).toBe('');
    expect(pgText(`end${HIGH}`)).toBe('end');
    expect(pgText(`ok ${EMOJI} Zoë 東京 \t\n`)).toBe(`ok ${EMOJI} Zoë 東京 \t\n`);
  });

  it('cleans every string of a row, jsonb values and keys included', () => {
    const row = {
      subject: `hi\u0000`,
      labels: [`a${HIGH}`],
      attachments: [{ contentType: `application/pdf\u0000`, size: 5, filename: null }],
      automation: { bulk: false, markers: [] as string[] },
      [`k\u0000`]: true,
    };
    const safe = pgSafe(row);
    expect(safe).toEqual({
      subject: 'hi',
      labels: ['a'],
      attachments: [{ contentType: 'application/pdf', size: 5, filename: null }],
      automation: { bulk: false, markers: [] },
      k: true,
    });
    expect(storable(row)).toBe(false);
    expect(storable(safe)).toBe(true);
  });

  it('cuts on code points: an emoji at the cut is kept whole, never halved', () => {
    const text = `${'a'.repeat(199)}${EMOJI}tail`;
    expect(text.slice(0, 200).endsWith(HIGH)).toBe(true); // what String.slice did
    const cut = cutCodePoints(text, 200);
    expect(cut).toBe(`${'a'.repeat(199)}${EMOJI}`);
    expect(pgText(cut)).toBe(cut);
    expect(cutCodePoints('short', 200)).toBe('short');
    expect(cutCodePoints(EMOJI.repeat(3), 2)).toBe(EMOJI.repeat(2));
  });

  it('a parsed message with an emoji at the snippet and body cut has no lone surrogate', async () => {
    const body = `${'a'.repeat(199)}${EMOJI}${'b'.repeat(799)}${EMOJI}tail`;
    const raw = Buffer.from(
      [
        'From: A <a@example.com>',
        'Subject: cut',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
        '',
      ].join('\r\n'),
    );
    const m = await parseMime(raw, LIMITS);
    expect(m.snippet).toBe(`${'a'.repeat(199)}${EMOJI}`);
    expect(m.textBody).toBe(`${'a'.repeat(199)}${EMOJI}${'b'.repeat(799)}${EMOJI}`);
    expect(m.textBodyTruncated).toBe(true);
    expect(storable(m.snippet)).toBe(true);
    expect(storable(m.textBody)).toBe(true);
  });

  it('cuts the HTML body on a code point too, and says it did', async () => {
    const html = `<p>${'a'.repeat(996)}${EMOJI}</p>${'b'.repeat(100)}`;
    const raw = Buffer.from(
      [
        'From: A <a@example.com>',
        'Subject: cut html',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=utf-8',
        '',
        html,
        '',
      ].join('\r\n'),
    );
    const m = await parseMime(raw, LIMITS);
    expect(m.htmlBody).toBe(`<p>${'a'.repeat(996)}${EMOJI}`);
    expect(m.htmlBodyTruncated).toBe(true);
    expect(storable(m.htmlBody)).toBe(true);
    const small = await parseMime(raw, { ...LIMITS, maxHtmlBodyChars: 10_000 });
    expect(small.htmlBody).toBe(html);
    expect(small.htmlBodyTruncated).toBe(false);
  });
});

describe('database errors, classified', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('data and constraint errors are permanent for the message, connection errors transient', () => {
    expect(classifyDbError(pgError('22P05', 'unsupported Unicode escape sequence'))).toBe(
      'permanent',
    );
    expect(classifyDbError(pgError('22021', 'invalid byte sequence'))).toBe('permanent');
    expect(classifyDbError(pgError('23514', 'check violation'))).toBe('permanent');
    expect(classifyDbError(pgError('08006', 'connection failure'))).toBe('transient');
    expect(classifyDbError(pgError('57P01', 'terminating connection'))).toBe('transient');
    expect(classifyDbError(pgError('40P01', 'deadlock detected'))).toBe('transient');
    // Session timeouts (src/db/session-timeouts.ts): wait and retry, never "bad data".
    expect(classifyDbError(pgError('55P03', 'canceling statement due to lock timeout'))).toBe(
      'transient',
    );
    expect(classifyDbError(pgError('57014', 'canceling statement due to statement timeout'))).toBe(
      'transient',
    );
    expect(classifyDbError(pgError('25P03', 'idle-in-transaction timeout'))).toBe('transient');
    expect(classifyDbError(pgError('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe('transient');
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyDbError(pgError('42P01', 'relation does not exist'))).toBe('unknown');
    expect(classifyDbError(new Error('bug'))).toBe('unknown');
  });

  it('a reason names the SQLSTATE and the server message, never the statement', () => {
    const err = pgError(
      '22P02',
      `insert into email (subject, text_body) values ('secret body') - invalid input syntax for type json`,
    );
    expect(dbErrorReason(err)).toBe(
      'database refused the message (SQLSTATE 22P02): invalid input syntax for type json',
    );
  });
});
