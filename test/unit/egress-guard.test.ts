import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { checkUrl, EgressRefusedError, type ResolveAll } from '../../src/security/egress-guard.ts';
import { refusalReason } from '../../src/security/egress-policy.ts';

/** DNS answers for the table; unknown names fail as getaddrinfo does. */
const ZONE: Record<string, string[]> = {
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'internal.example.com': ['10.0.0.5'],
  'mixed.example.com': ['8.8.8.8', '127.0.0.1'],
  'metadata.example.com': ['169.254.169.254'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'ula.example.com': ['fd12:3456:789a::1'],
  localhost: ['127.0.0.1', '::1'],
  'empty.example.com': [],
};

const resolve: ResolveAll = (hostname) => {
  const answers = ZONE[hostname];
  if (answers === undefined) {
    return Promise.reject(
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
      }),
    );
  }
  return Promise.resolve(
    answers.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
};

/** Refusal reason per policy: null = allowed, a pattern = refused with a message matching it. */
type Row = [url: string, publicPolicy: RegExp | null, privatePolicy: RegExp | null];

const TABLE: Row[] = [
  // Public addresses and names.
  ['https://hooks.example.com/mailroom', null, null],
  ['https://8.8.8.8/hook', null, null],
  ['http://[2606:4700:4700::1111]:8080/', null, null],
  ['http://[64:ff9b::8.8.8.8]/', null, null],
  ['http://[2002:808:808::1]/', null, null],
  // Loopback in every spelling WHATWG URL accepts.
  ['http://127.0.0.1:8080/', /127\.0\.0\.1 is loopback/, null],
  ['http://2130706433/', /loopback/, null],
  ['http://0177.0.0.1/', /loopback/, null],
  ['http://0x7f.1/', /loopback/, null],
  ['http://127.1/', /loopback/, null],
  ['http://017700000001/', /loopback/, null],
  ['http://127.0.0.1./', /loopback/, null],
  ['http://[::1]/', /loopback/, null],
  ['http://[::ffff:127.0.0.1]/', /loopback \(127\.0\.0\.1 inside/, null],
  ['http://[0:0:0:0:0:ffff:7f00:1]/', /loopback/, null],
  ['http://[::127.0.0.1]/', /loopback/, null],
  ['http://[::ffff:0:127.0.0.1]/', /loopback/, null],
  ['http://[2002:7f00:1::]/', /loopback/, null],
  ['http://localhost:3000/', /localhost resolves to 127\.0\.0\.1, loopback/, null],
  ['http://mapped.example.com/', /loopback/, null],
  // Private, shared and unique-local.
  ['http://10.1.2.3/', /private/, null],
  ['http://172.16.0.1/', /private/, null],
  ['http://192.168.1.1/', /private/, null],
  ['http://[64:ff9b::10.0.0.1]/', /private \(10\.0\.0\.1 inside/, null],
  ['http://100.64.0.1/', /carrier-grade NAT/, null],
  ['http://[fc00::1]/', /unique-local/, null],
  ['http://internal.example.com/', /resolves to 10\.0\.0\.5, private/, null],
  ['http://mixed.example.com/', /resolves to 127\.0\.0\.1/, null],
  ['http://ula.example.com/', /unique-local/, null],
  // Multicast, broadcast, reserved, site-local.
  ['http://224.0.0.1/', /multicast/, null],
  ['http://[ff02::1]/', /multicast/, null],
  ['http://255.255.255.255/', /broadcast/, null],
  ['http://192.0.2.1/', /reserved/, null],
  ['http://[2001:db8::1]/', /reserved/, null],
  ['http://240.0.0.1/', /reserved/, null],
  ['http://[fec0::1]/', /site-local/, null],
  // Link-local (cloud metadata) and unspecified: refused by both policies, in every form.
  ['http://169.254.169.254/latest/meta-data/', /link-local/, /link-local/],
  ['http://2852039166/', /link-local/, /link-local/],
  ['http://0xa9.0xfe.0xa9.0xfe/', /link-local/, /link-local/],
  ['http://[::ffff:169.254.169.254]/', /link-local/, /link-local/],
  ['http://[::ffff:a9fe:a9fe]/', /link-local/, /link-local/],
  ['http://[64:ff9b::169.254.169.254]/', /link-local/, /link-local/],
  ['http://[2002:a9fe:a9fe::]/', /link-local/, /link-local/],
  ['http://[fe80::1]/', /link-local/, /link-local/],
  ['http://metadata.example.com/', /link-local/, /link-local/],
  ['http://0.0.0.0/', /unspecified/, /unspecified/],
  ['http://0/', /unspecified/, /unspecified/],
  ['http://[::]/', /unspecified/, /unspecified/],
  ['http://[::ffff:0.0.0.0]/', /unspecified/, /unspecified/],
  // Not URLs we call at all.
  ['ftp://hooks.example.com/', /scheme ftp: is not http or https/, /scheme/],
  ['file:///etc/passwd', /scheme/, /scheme/],
  ['http://user:secret@hooks.example.com/', /credentials/, /credentials/],
  ['http://127.0.0.1:80@hooks.example.com/', /credentials/, /credentials/],
  ['not a url', /not a valid URL/, /not a valid URL/],
  ['http://[fe80::1%25eth0]/', /not a valid URL/, /not a valid URL/],
  ['http://nowhere.invalid/', /does not resolve \(ENOTFOUND\)/, /does not resolve/],
  ['http://empty.example.com/', /does not resolve/, /does not resolve/],
];

async function outcome(url: string, policy: 'public' | 'private'): Promise<string | null> {
  try {
    await checkUrl(url, policy, resolve);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(EgressRefusedError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
}

describe('egress guard: checkUrl', () => {
  it.each(TABLE)('%s → public %s, private %s', async (url, pub, priv) => {
    const [p, q] = [await outcome(url, 'public'), await outcome(url, 'private')];
    if (pub === null) {
      expect(p).toBeNull();
    } else {
      expect(p).toMatch(pub);
    }
    if (priv === null) {
      expect(q).toBeNull();
    } else {
      expect(q).toMatch(priv);
    }
  });

  it('names the URL and the policy in its one line', async () => {
    await expect(checkUrl('http://2130706433/x', 'public', resolve)).rejects.toThrow(
      'webhook URL refused (egress public): http://2130706433/x: 127.0.0.1 is loopback',
    );
  });
});

describe('egress policy: addresses', () => {
  it.each([
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /reserved \(192\.0\.2\.45 inside/],
    ['2001:0:808:808:8000:63bf:f7f7:f7f7', /Teredo/],
    ['198.18.0.1', /reserved/],
    ['not-an-ip', /not an IP address/],
  ])('public refuses %s', (address, why) => {
    expect(refusalReason(address, 'public')).toMatch(why);
  });
});
