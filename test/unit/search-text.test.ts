import { describe, expect, it } from 'vitest';
import { emailSearchText, normalizeSearchText } from '../../src/mail/search-text.ts';

describe('search text normaliser', () => {
  it('lower-cases after NFKC and keeps German letters as they are', () => {
    expect(normalizeSearchText('Beste GRÜSSE, Grüße aus Köln')).toBe(
      'beste grüsse, grüße aus köln',
    );
    // Compatibility forms become what people type; a decomposed ü becomes the composed one.
    expect(normalizeSearchText('Ｆｕｌｌ ﬁle ①')).toBe('full file 1');
    expect(normalizeSearchText('Mu\u0308ller')).toBe('müller');
  });

  it('keeps Portuguese accents (no folding: "verão" and "verao" are different words)', () => {
    expect(normalizeSearchText('Formação: Campanha Final VERÃO')).toBe(
      'formação: campanha final verão',
    );
    expect(normalizeSearchText('verão')).not.toBe(normalizeSearchText('verao'));
  });

  it('splits Japanese runs into overlapping bigrams, and a lone CJK character stays whole', () => {
    expect(normalizeSearchText('このメールはテスト用です')).toBe(
      'この のメ メー ール ルは はテ テス スト ト用 用で です',
    );
    expect(normalizeSearchText('テスト用')).toBe('テス スト ト用');
    expect(normalizeSearchText('Re: TEST テストテスト')).toBe('re: test テス スト トテ テス スト');
    expect(normalizeSearchText('日')).toBe('日');
    // CJK punctuation ends a run; half-width katakana become full width first.
    expect(normalizeSearchText('日本語、正常に。')).toBe('日本 本語 、 正常 常に 。');
    expect(normalizeSearchText('ﾃｽﾄ')).toBe('テス スト');
  });

  it('makes every bigram of a query a bigram of a sentence that contains it', () => {
    const sentence = normalizeSearchText('今後ともよろしくお願い申し上げます').split(' ');
    for (const bigram of normalizeSearchText('よろしくお願い').split(' ')) {
      expect(sentence).toContain(bigram);
    }
  });

  it('splits Korean and Chinese the same way', () => {
    expect(normalizeSearchText('한국어 메일')).toBe('한국 국어 메일');
    expect(normalizeSearchText('台湾鑫龙')).toBe('台湾 湾鑫 鑫龙');
  });

  it('builds the weighted parts of an email, with each address split into its parts', () => {
    const parts = emailSearchText(
      'Angebot für Müller',
      [{ address: 'jane.doe@acme-corp.de', displayName: 'Jane DOE' }],
      'Beste Grüße',
    );
    expect(parts).toEqual({
      subject: 'angebot für müller',
      people: 'jane doe jane.doe@acme-corp.de jane doe acme corp de',
      body: 'beste grüße',
    });
  });
});
