import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTrackingSigner } from '../../src/tracking/tracking-token.ts';

const k1 = { id: 1, key: randomBytes(32) };
const k2 = { id: 2, key: randomBytes(32) };

/** Replaces the character at `i` with another valid base64url character. */
function flip(token: string, i: number): string {
  const c = token.charAt(i);
  const other = c === 'A' ? 'B' : 'A';
  return token.slice(0, i) + other + token.slice(i + 1);
}

describe('tracking tokens', () => {
  it('round-trips open and click tokens with a 128-bit random id and nothing readable', () => {
    const signer = createTrackingSigner({ current: k1 });
    const open = signer.mint('open');
    const click = signer.mint('click');
    expect(open).toMatch(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}$/);
    const o = signer.verify(open);
    const c = signer.verify(click);
    expect(o?.kind).toBe('open');
    expect(o?.tokenId).toMatch(/^[0-9a-f]{32}$/);
    expect(c?.kind).toBe('click');
    expect(o?.tokenId).not.toBe(c?.tokenId);
    expect(signer.mint('open')).not.toBe(open);
  });

  it('rejects a change to any character of the payload or of the MAC', () => {
    const signer = createTrackingSigner({ current: k1 });
    const token = signer.mint('click');
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') {
        continue;
      }
      expect(signer.verify(flip(token, i)), `position ${i}`).toBeNull();
    }
  });

  it('rejects truncated, extended, empty and malformed tokens', () => {
    const signer = createTrackingSigner({ current: k1 });
    const token = signer.mint('open');
    const [payloadPart = '', macPart = ''] = token.split('.');
    for (const bad of [
      token.slice(0, -1),
      `${token}A`,
      token.replace('.', ''),
      payloadPart,
      `.${macPart}`,
      '',
      'not-a-token',
      `${payloadPart}.${payloadPart}`,
      token.replace('.', '..'),
      `${token} `,
    ]) {
      expect(signer.verify(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('rejects a token signed by a key it does not know, and a key id it does not list', () => {
    const other = createTrackingSigner({ current: { id: 1, key: randomBytes(32) } });
    const signer = createTrackingSigner({ current: k1 });
    expect(signer.verify(other.mint('open'))).toBeNull();
    const unknownId = createTrackingSigner({ current: { id: 9, key: k1.key } });
    expect(signer.verify(unknownId.mint('open'))).toBeNull();
  });

  it('keeps verifying mail signed with a rotated key while it is listed in previous', () => {
    const before = createTrackingSigner({ current: k1 });
    const sent = before.mint('click');
    const rotated = createTrackingSigner({ current: k2, previous: [k1] });
    expect(rotated.verify(sent)).toEqual(before.verify(sent));
    const fresh = rotated.mint('open');
    expect(before.verify(fresh)).toBeNull();
    expect(rotated.verify(fresh)?.kind).toBe('open');
    const retired = createTrackingSigner({ current: k2 });
    expect(retired.verify(sent)).toBeNull();
  });

  it('signs the kind: an open token cannot be turned into a click token', () => {
    const signer = createTrackingSigner({ current: k1 });
    const open = signer.mint('open');
    const [payloadPart = '', macPart = ''] = open.split('.');
    const payload = Buffer.from(payloadPart, 'base64url');
    payload[1] = 0x02;
    const forged = `${payload.toString('base64url')}.${macPart}`;
    expect(signer.verify(forged)).toBeNull();
    expect(signer.verify(open)?.kind).toBe('open');
  });

  it('refuses weak keys, bad ids and duplicate ids', () => {
    expect(() => createTrackingSigner({ current: { id: 1, key: randomBytes(16) } })).toThrow(
      /32 bytes/,
    );
    expect(() => createTrackingSigner({ current: { id: 256, key: randomBytes(32) } })).toThrow(
      /0-255/,
    );
    expect(() =>
      createTrackingSigner({ current: k1, previous: [{ id: 1, key: randomBytes(32) }] }),
    ).toThrow(/twice/);
  });
});
