import { cutCodePoints } from './pg-text.ts';

/**
 * Text for full-text search, made the same way for what is indexed and for what is searched.
 * PostgreSQL's `simple` configuration (no stemming, no stop words) does the tokenising, so one
 * index serves German, Portuguese, English and anything else alike: a word matches as it is
 * written, accents and ß included. Two things `simple` cannot do are done here first:
 *
 * - NFKC and lower case: full-width, ligature and compatibility forms (ｱ, ﬁ, ①) become the
 *   characters people type, and both sides compare case-insensitively whatever the database's
 *   locale.
 * - CJK: Chinese, Japanese and Korean are written without spaces, so the parser would see a
 *   whole sentence as one word. Each run of Han, Hiragana, Katakana or Hangul becomes its
 *   overlapping character bigrams (`東京都` → `東京 京都`), as Lucene's CJK analyzer does; a lone
 *   character stays a unigram. A query made the same way matches inside a sentence: its bigrams
 *   are all in the sentence's, and a quoted phrase keeps them adjacent.
 */

/** A letter or combining mark of a CJK script; CJK punctuation (、。「」) ends a run. */
const CJK_RUN =
  /(?:(?=[\p{L}\p{M}])[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Hangul}])+/gu;

/** `run`'s overlapping bigrams, space-separated; a run of one character is itself. */
function bigrams(run: string): string {
  // Code points: every character of these scripts is one (Hangul is composed by NFKC).
  const chars = Array.from(run);
  if (chars.length === 1) {
    return run;
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) {
    out.push(`${chars[i] ?? ''}${chars[i + 1] ?? ''}`);
  }
  return out.join(' ');
}

/** `text` normalised for the `simple` text-search configuration (see above). */
export function normalizeSearchText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(CJK_RUN, (run) => ` ${bigrams(run)} `)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Caps that keep a message's tsvector well under PostgreSQL's 1 MB limit whatever the configured
 * body cap (bigrams of random Han text are nearly all distinct lexemes): past them, the rest of a
 * very long body is not searchable, and the message is still stored.
 */
const SUBJECT_CHARS = 2_000;
const PEOPLE_CHARS = 10_000;
const BODY_CHARS = 50_000;

/** The three weighted parts of an email's search document, normalised. */
export interface EmailSearchText {
  /** Weight A. */
  subject: string;
  /** Weight B: participants' display names and addresses (and each address's parts). */
  people: string;
  /** Weight C. */
  body: string;
}

export function emailSearchText(
  subject: string,
  participants: readonly { address: string; displayName: string }[],
  body: string,
): EmailSearchText {
  const people = participants.map((p) => {
    // The whole address is one token to the parser; its parts make `acme` or `jane` findable too.
    const parts = p.address.split(/[@.+_-]+/).filter((s) => s.length > 1);
    return [p.displayName, p.address, ...parts].join(' ');
  });
  return {
    subject: normalizeSearchText(cutCodePoints(subject, SUBJECT_CHARS)),
    people: normalizeSearchText(cutCodePoints(people.join(' '), PEOPLE_CHARS)),
    body: normalizeSearchText(cutCodePoints(body, BODY_CHARS)),
  };
}
