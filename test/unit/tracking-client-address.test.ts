import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { clientAddress, createTrustedProxies } from '../../src/tracking/client-address.ts';
import { redirectLocation } from '../../src/tracking/redirect-location.ts';

describe('clientAddress', () => {
  const none = createTrustedProxies([]);
  const lan = createTrustedProxies(['10.0.0.0/8', 'fd00::/8']);

  it('is the socket peer when no proxy is trusted, whatever the header says', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.7', none)).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.1', '198.51.100.7', none)).toBe('10.0.0.1');
  });

  it('ignores the header from an untrusted peer', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.7', lan)).toBe('203.0.113.5');
  });

  it('takes the right-most untrusted entry from a trusted peer', () => {
    expect(clientAddress('10.0.0.1', '192.0.2.1, 198.51.100.7, 10.2.2.2', lan)).toBe(
      '198.51.100.7',
    );
    expect(clientAddress('10.0.0.1', ['192.0.2.1', '198.51.100.7'], lan)).toBe('198.51.100.7');
    expect(clientAddress('fd00::1', '2001:db8::7', lan)).toBe('2001:db8::7');
  });

  it('treats IPv4-mapped IPv6 as IPv4, for the peer and the entries', () => {
    expect(clientAddress('::ffff:10.0.0.1', '::ffff:198.51.100.7', lan)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:203.0.113.5', undefined, none)).toBe('203.0.113.5');
  });

  it('stops at an entry that is not an address: the hop that forwarded it', () => {
    expect(clientAddress('10.0.0.1', 'evil, 10.3.3.3', lan)).toBe('10.3.3.3');
    expect(clientAddress('10.0.0.1', 'not-an-ip', lan)).toBe('10.0.0.1');
  });

  it('is the left-most entry when every hop is trusted, the peer without a header', () => {
    expect(clientAddress('10.0.0.1', '10.5.5.5, 10.6.6.6', lan)).toBe('10.5.5.5');
    expect(clientAddress('10.0.0.1', undefined, lan)).toBe('10.0.0.1');
  });
});

describe('redirectLocation', () => {
  it('keeps an ASCII URL exactly, query, fragment and escapes included', () => {
    const url = 'https://a.example/p?x=1&y=%20z#frag';
    expect(redirectLocation(url)).toBe(url);
  });

  it('percent-encodes as UTF-8 only what a header cannot carry', () => {
    const url = 'https://a.example/café dé?q=日本#ü';
    const location = redirectLocation(url);
    expect(location).toBe('https://a.example/caf%C3%A9%20d%C3%A9?q=%E6%97%A5%E6%9C%AC#%C3%BC');
    expect(new URL(location).href).toBe(new URL(url).href);
  });
});

describe('tracking configuration', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  it('reads keys (current first) and trusted proxies, none by default', () => {
    expect(parseConfig({}).tracking).toEqual({ keys: [], trustedProxies: [] });
    const config = parseConfig({
      MAILROOM_TRACKING_KEYS: `2:${key}, 1:${key}`,
      MAILROOM_TRUSTED_PROXIES: '10.0.0.0/8, ::1/128',
    });
    expect(config.tracking.keys.map((k) => k.id)).toEqual([2, 1]);
    expect(config.tracking.keys[0]?.key.length).toBe(32);
    expect(config.tracking.trustedProxies).toEqual(['10.0.0.0/8', '::1/128']);
  });

  it('refuses short keys, bad ids, repeated ids and addresses that are not CIDRs', () => {
    const short = Buffer.alloc(16).toString('base64');
    for (const bad of [`1:${short}`, `256:${key}`, key, `1:${key},1:${key}`]) {
      expect(() => parseConfig({ MAILROOM_TRACKING_KEYS: bad }), bad).toThrow(
        /MAILROOM_TRACKING_KEYS/,
      );
    }
    expect(() => parseConfig({ MAILROOM_TRUSTED_PROXIES: '10.0.0.1' })).toThrow(
      /MAILROOM_TRUSTED_PROXIES/,
    );
  });
});
