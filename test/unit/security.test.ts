import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConnectLinkSigner } from '../../src/security/connect-link.ts';
import { OAuthFlowBinding, pkceChallenge } from '../../src/security/oauth-flow-binding.ts';
import { SecretBox, SecretBoxError } from '../../src/security/secret-box.ts';
import { StateError, StateSigner } from '../../src/security/signed-state.ts';

const key = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  it('seals with a fresh IV and opens what it sealed', () => {
    const box = new SecretBox(key());
    const a = box.seal('1//refresh-token');
    const b = box.seal('1//refresh-token');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token');
    expect(box.open(a)).toBe('1//refresh-token');
  });

  it('detects tampering and unknown keys', () => {
    const box = new SecretBox(key());
    const sealed = box.seal('secret');
    const parts = sealed.split('.');
    parts[4] = Buffer.from(
      'x' + Buffer.from(parts[4] ?? '', 'base64url').toString('latin1'),
    ).toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(SecretBoxError);
    expect(() => new SecretBox(key()).open(sealed)).toThrow(/unknown key/);
    expect(() => box.open('plaintext')).toThrow(SecretBoxError);
  });

  it('rotates: old ciphertexts open with the previous key and report needing rotation', () => {
    const oldKey = key();
    const sealed = new SecretBox(oldKey).seal('token');
    const rotated = new SecretBox(key(), [oldKey]);
    expect(rotated.open(sealed)).toBe('token');
    expect(rotated.needsRotation(sealed)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('token'))).toBe(false);
  });

  it('opens with any of several old keys; a secret no key opens names the variables to fix', () => {
    const [a, b, c] = [key(), key(), key()];
    const fromA = new SecretBox(a).seal('token-a');
    const fromB = new SecretBox(b).seal('token-b');
    const box = new SecretBox(c, [a, b]);
    expect([box.open(fromA), box.open(fromB)]).toEqual(['token-a', 'token-b']);
    let error: unknown;
    try {
      new SecretBox(c, [b]).open(fromA);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SecretBoxError);
    expect((error as Error).message).toMatch(
      /^MAILROOM_ENCRYPTION_KEY cannot open a stored secret: it was sealed with unknown key [0-9a-f]{8} .*MAILROOM_ENCRYPTION_KEYS_OLD/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow(SecretBoxError);
  });
});

describe('StateSigner', () => {
  const payload = {
    workspaceId: 'w1',
    provider: 'google' as const,
    loginHint: null,
    nonceHash: 'hash-of-the-cookie-nonce',
  };

  it('round-trips and refuses forgeries, other keys and expired states', () => {
    const k = key();
    const signer = new StateSigner(k);
    const state = signer.sign(payload, 60_000, 1_000);
    expect(signer.verify(state, 2_000)).toMatchObject(payload);
    const [body] = state.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...payload, workspaceId: 'w2', expiresAt: 9e15 })).toString('base64url')}.${state.split('.')[1] ?? ''}`;
    expect(() => signer.verify(forged, 2_000)).toThrow(StateError);
    expect(() => new StateSigner(key()).verify(state, 2_000)).toThrow(StateError);
    expect(() => signer.verify(state, 61_001)).toThrow(/expired/);
    expect(() => signer.verify(body ?? '', 2_000)).toThrow(/malformed/);
    expect(() => signer.verify(`${state}.extra`, 2_000)).toThrow(/malformed/);
  });
});

describe('ConnectLinkSigner', () => {
  const claims = { workspaceId: 'w1', provider: 'microsoft' as const, loginHint: 'a@b.com' };

  it('round-trips until it expires, and refuses tampering and other keys', () => {
    const k = key();
    const links = new ConnectLinkSigner(k);
    const { token, expiresAt } = links.sign(claims, 900_000, 1_000);
    expect(expiresAt).toBe(901_000);
    expect(links.verify(token, 900_999)).toEqual({ ...claims, expiresAt });
    expect(() => links.verify(token, 901_000)).toThrow(
      expect.objectContaining({ problem: 'expired' }),
    );
    const [body, mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ ...claims, workspaceId: 'w2', expiresAt })).toString(
      'base64url',
    );
    expect(() => links.verify(`${other}.${mac ?? ''}`, 2_000)).toThrow(
      expect.objectContaining({ problem: 'forged' }),
    );
    expect(() => new ConnectLinkSigner(key()).verify(token, 2_000)).toThrow(
      expect.objectContaining({ problem: 'forged' }),
    );
    expect(() => links.verify(body ?? '', 2_000)).toThrow(
      expect.objectContaining({ problem: 'malformed' }),
    );
  });

  it('is never accepted as an OAuth state, nor a state as a link (one key per purpose)', () => {
    const k = key();
    const link = new ConnectLinkSigner(k).sign(claims, 60_000).token;
    expect(() => new StateSigner(k).verify(link)).toThrow(/signature/);
    const state = new StateSigner(k).sign({ ...claims, nonceHash: 'h' });
    expect(() => new ConnectLinkSigner(k).verify(state)).toThrow(
      expect.objectContaining({ problem: 'forged' }),
    );
  });
});

describe('OAuthFlowBinding', () => {
  it('gives the verifier back only for the browser nonce the state names', () => {
    const k = key();
    const binding = new OAuthFlowBinding(k);
    const flow = binding.begin();
    expect(flow.nonceHash).toBe(createHash('sha256').update(flow.nonce).digest('base64url'));
    const resumed = binding.resume(flow.nonce, flow.nonceHash);
    // RFC 7636: 43–128 unreserved characters, and the challenge is its S256 hash.
    expect(resumed?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pkceChallenge(resumed?.codeVerifier ?? '')).toBe(flow.codeChallenge);
    expect(flow.codeChallenge).not.toContain(flow.nonce);

    const other = binding.begin();
    expect(binding.resume(other.nonce, flow.nonceHash)).toBeNull();
    expect(binding.resume(undefined, flow.nonceHash)).toBeNull();
    expect(binding.resume('', flow.nonceHash)).toBeNull();
    // Another deployment key derives another verifier from the same nonce.
    expect(new OAuthFlowBinding(key()).resume(flow.nonce, flow.nonceHash)?.codeVerifier).not.toBe(
      resumed?.codeVerifier,
    );
  });

  it('matches the RFC 7636 appendix B example challenge', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});
