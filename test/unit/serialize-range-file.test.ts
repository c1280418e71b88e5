import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { ipRangeFileSchema, type IpRangeFile } from '../../src/tracking/ip-ranges.ts';
import { serializeRangeFile } from '../../src/tracking/serialize-range-file.ts';

const REPO_FILE = new URL('../../data/tracking-ip-ranges/x.json', import.meta.url).pathname;

/** What `npm run format` would make of `text` at the shipped lists' place. */
async function prettierOf(text: string): Promise<string> {
  const options = (await prettier.resolveConfig(REPO_FILE)) ?? {};
  return prettier.format(text, { ...options, filepath: REPO_FILE });
}

const base: IpRangeFile = {
  name: 'proofpoint',
  source: 'Proofpoint support page “Support Info”, with "quotes" and a \\ backslash',
  retrievedAt: '2026-12-02',
  ranges: [],
};

describe('serializeRangeFile', () => {
  it.each<[string, IpRangeFile]>([
    ['no ranges', base],
    ['one range, verified', { ...base, verified: true, ranges: ['209.222.80.0/21'] }],
    [
      'ranges that just fit on one line',
      {
        ...base,
        ranges: ['62.209.50.0/24', '91.209.104.0/24', '208.36.134.0/24', '208.84.6.0/24'],
      },
    ],
    [
      'many ranges, with notes',
      {
        ...base,
        verified: false,
        notes: 'PARTIAL: '.repeat(30),
        ranges: Array.from({ length: 40 }, (_, i) => `10.${String(i)}.0.0/16`).concat([
          '2a01:111:f400::/48',
        ]),
      },
    ],
  ])('prints %s as Prettier does, and as a valid list', async (_, file) => {
    const text = serializeRangeFile(file);
    expect(text).toBe(await prettierOf(text));
    expect(ipRangeFileSchema.parse(JSON.parse(text))).toEqual(file);
  });

  it('breaks the ranges exactly where Prettier does', async () => {
    // Grow a list one range at a time across the print width: each length must agree.
    const ranges: string[] = [];
    for (let i = 0; i < 8; i++) {
      ranges.push(`192.0.${String(i)}.0/24`);
      const text = serializeRangeFile({ ...base, ranges: [...ranges] });
      expect(text).toBe(await prettierOf(text));
    }
  });
});
