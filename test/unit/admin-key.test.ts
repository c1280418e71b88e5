import { describe, expect, it } from 'vitest';
import { adminKeyMatches } from '../../src/security/admin-key.ts';

const KEY = 'k'.repeat(20) + ':with:colons:and-more';
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

describe('adminKeyMatches', () => {
  it('accepts the key as a Bearer token or as the Basic password of any user', () => {
    expect(adminKeyMatches(`Bearer ${KEY}`, KEY)).toBe(true);
    expect(adminKeyMatches(`bearer ${KEY}`, KEY)).toBe(true);
    expect(adminKeyMatches(basic(`ops:${KEY}`), KEY)).toBe(true);
    // The password runs from the first colon on, so a key with colons works too.
    expect(adminKeyMatches(basic(`:${KEY}`), KEY)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      KEY,
      `Bearer`,
      `Bearer ${KEY}x`,
      `Bearer ${KEY.slice(1)}`,
      `Token ${KEY}`,
      `Bearer ${KEY} extra`,
      basic(KEY),
      basic(`${KEY}:`),
      basic(`ops:${KEY}x`),
      'Basic !!!not-base64',
    ]) {
      expect(adminKeyMatches(header, KEY), String(header)).toBe(false);
    }
  });
});
