import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import {
  detectFormat,
  parseRangeFile,
  RangeFileError,
} from '../../src/tracking/parse-range-file.ts';

/** The error `parseRangeFile(text)` throws (the test fails if it does not throw one). */
function failure(text: string): RangeFileError {
  try {
    parseRangeFile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(RangeFileError);
    expect(err).toBeInstanceOf(InvalidInputError);
    return err as RangeFileError;
  }
  throw new Error('parseRangeFile did not refuse the file');
}

describe('a plain list', () => {
  it('reads CIDRs and addresses, skips comments and blanks, dedupes and sorts', () => {
    const text = [
      '# Proofpoint networks, copied 2026-12-01',
      '208.84.64.0/22',
      '',
      '62.209.50.0/24   # EU',
      '2001:0DB8:0000:0000::/32',
      '67.231.144.0/20',
      '62.209.50.0/24',
      '192.0.2.7',
      '2001:db8::1',
      '9.0.0.0/8',
      '9.0.0.0/16',
    ].join('\n');
    expect(parseRangeFile(text)).toEqual({
      format: 'list',
      ranges: [
        '9.0.0.0/8',
        '9.0.0.0/16',
        '62.209.50.0/24',
        '67.231.144.0/20',
        '192.0.2.7/32',
        '208.84.64.0/22',
        '2001:db8::/32',
        '2001:db8::1/128',
      ],
    });
  });

  it('takes the first field of a CSV line (Apple’s egress-ip-ranges.csv)', () => {
    const text =
      '172.224.224.0/27,GB,GB-EN,London,\r\n2a02:26f7:b3c0:4000::/64,GB,GB-EN,London,\r\n';
    expect(parseRangeFile(text).ranges).toEqual(['172.224.224.0/27', '2a02:26f7:b3c0:4000::/64']);
  });

  it.each([
    ['1.2.3.0/24\nnot-an-ip\n', 2, 'not an IP address or CIDR: not-an-ip'],
    ['# c\n\n40.92.1.0/15\n', 3, 'host bits set in 40.92.1.0/15 (the network is 40.92.0.0/15)'],
    ['010.1.2.3\n', 1, 'not an IP address or CIDR: 010.1.2.3'],
    ['10.1\n', 1, 'not an IP address or CIDR: 10.1'],
    ['1.2.3.0/33\n', 1, 'prefix length above 32'],
    ['2001:db8::/129\n', 1, 'prefix length above 128'],
    ['1.2.3.0/x\n', 1, 'not a CIDR (prefix length): 1.2.3.0/x'],
    ['fe80::1%eth0\n', 1, 'zone id'],
  ])('refuses %j naming line %i', (text, line, message) => {
    const err = failure(text);
    expect(err.line).toBe(line);
    expect(err.message).toContain(`line ${String(line)}: `);
    expect(err.message).toContain(message);
  });

  it('refuses a file with no range at all', () => {
    const err = failure('# nothing yet\n\n');
    expect(err.line).toBeNull();
    expect(err.message).toMatch(/^no address range in the file/);
  });
});

describe('Google ipranges JSON', () => {
  const google = `{
  "creationTime": "2026-11-30T15:46:17.000000",
  "prefixes": [
    {
      "ipv6Prefix": "2001:4860:4801:2008::/64"
    },
    {
      "ipv4Prefix": "34.22.85.0/27"
    },
    {
      "ipv4Prefix": "34.22.85.0/27",
      "service": "Google Cloud",
      "scope": "europe-west1"
    }
  ]
}
`;

  it('reads ipv4Prefix and ipv6Prefix', () => {
    expect(parseRangeFile(google)).toEqual({
      format: 'google',
      ranges: ['34.22.85.0/27', '2001:4860:4801:2008::/64'],
    });
  });

  it('names the line of a bad prefix', () => {
    const err = failure(google.replace('34.22.85.0/27"\n    }', '34.22.85.1/27"\n    }'));
    expect(err.message).toBe(
      'line 8: host bits set in 34.22.85.1/27 (the network is 34.22.85.0/27)',
    );
  });

  it('refuses an object that is not the format, and a prefix with no address', () => {
    expect(failure('{"syncToken": "1"}').message).toMatch(/not Google’s ipranges format/);
    expect(failure('{"prefixes": [{"service": "x"}]}').message).toBe(
      'prefixes[0] has no ipv4Prefix or ipv6Prefix',
    );
    expect(failure('{"prefixes": [').message).toMatch(/^not valid JSON \(read as google\)/);
  });
});

describe('Microsoft 365 endpoints JSON', () => {
  const endpoints = JSON.stringify(
    [
      {
        id: 1,
        serviceArea: 'Exchange',
        urls: ['outlook.office.com'],
        ips: ['13.107.6.152/31', '2603:1006::/40'],
        tcpPorts: '80,443',
        category: 'Optimize',
        required: true,
      },
      { id: 8, serviceArea: 'Exchange', urls: ['*.outlook.com'], tcpPorts: '443' },
      {
        id: 9,
        serviceArea: 'Exchange',
        urls: ['*.mail.protection.outlook.com'],
        ips: ['40.92.0.0/15', '13.107.6.152/31'],
        tcpPorts: '25',
      },
    ],
    null,
    2,
  );

  it('reads the ips of every endpoint set that has some, once each', () => {
    expect(parseRangeFile(endpoints)).toEqual({
      format: 'microsoft',
      ranges: ['13.107.6.152/31', '40.92.0.0/15', '2603:1006::/40'],
    });
  });

  it('names the line of a bad address', () => {
    const err = failure(endpoints.replace('"40.92.0.0/15"', '"40.92.0.0/8"'));
    expect(err.message).toMatch(/^line \d+: host bits set in 40\.92\.0\.0\/8/);
    expect(endpoints.split('\n')[(err.line ?? 0) - 1]).toContain('40.92.0.0/15');
  });

  it('refuses an array that is not the format', () => {
    expect(failure('[{"ips": "1.2.3.4"}]').message).toMatch(/not the Microsoft 365 endpoints/);
  });
});

describe('SPF records', () => {
  it('reads ip4 and ip6 terms of dig output, joining a record split into strings', () => {
    const dig = [
      '; <<>> DiG 9.18 <<>> TXT spf.protection.outlook.com',
      'spf.protection.outlook.com. 3600 IN TXT "v=spf1 ip4:40.92.0.0/15 +ip4:40.107.0.0/16 ip4:52.100" ".0.0/14 ip6:2a01:111:f400::/48 exp=explain.example ~all"',
    ].join('\n');
    expect(parseRangeFile(dig)).toEqual({
      format: 'spf',
      ranges: ['40.92.0.0/15', '40.107.0.0/16', '52.100.0.0/14', '2a01:111:f400::/48'],
    });
  });

  it('reads a bare record, a lone address as a host range', () => {
    expect(parseRangeFile('v=spf1 ip4:192.0.2.1 ip6:2001:db8::5 -all\n').ranges).toEqual([
      '192.0.2.1/32',
      '2001:db8::5/128',
    ]);
  });

  it.each([
    [
      'v=spf1 ip4:1.2.3.0/24 include:_spf.google.com ~all',
      'include:_spf.google.com needs a DNS lookup',
    ],
    ['v=spf1 ip4:1.2.3.0/24 redirect=_spf.example', 'redirect=_spf.example needs a DNS lookup'],
    ['v=spf1 mx -all', 'mx needs a DNS lookup'],
    [
      'v=spf1 -ip4:1.2.3.0/24 ip4:5.6.7.0/24',
      '-ip4:1.2.3.0/24: an address the record does not pass',
    ],
    ['v=spf1 ip4:1.2.3.4/40', 'prefix length above 32'],
    ['v=spf1 ip4:1.2.3.0/24 b@d', 'not an SPF term: b@d'],
  ])('refuses %j', (record, message) => {
    const err = failure(`; answer\n${record}\n`);
    expect(err.line).toBe(2);
    expect(err.message).toContain(message);
  });

  it('skips the domain’s other TXT records and dig’s other lines', () => {
    const dig = [
      ';; ANSWER SECTION:',
      'example.com. 300 IN TXT "google-site-verification=abc"',
      'example.com. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
      'example.com. 300 IN NS ns1.example.net.',
    ].join('\n');
    expect(parseRangeFile(dig).ranges).toEqual(['192.0.2.0/24']);
    expect(failure('"v=spf1 -all"\n"other=1.2.3.4"\n').message).toMatch(/^no address range/);
  });
});

describe('detectFormat', () => {
  it.each([
    ['  {"prefixes": []}', 'google'],
    ['\n[]', 'microsoft'],
    ['"v=spf1 -all"', 'spf'],
    ['V=SPF1 ip4:1.2.3.4', 'spf'],
    ['1.2.3.4\n', 'list'],
    ['# v=spf1x\n1.2.3.4', 'list'],
  ] as const)('%j is %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });
});
