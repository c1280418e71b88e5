import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Short-lived signed tokens (the connect link, the OAuth state): a JSON payload with an expiry,
 * HMAC-SHA256-signed under a key derived (HKDF) from the encryption key for one purpose. They need
 * no extra secret, cannot be forged or used after expiry, and a token minted for one purpose is
 * never accepted for another (each purpose has its own key). Not encrypted: the payload is
 * readable by whoever holds the token, so it never carries a secret.
 */
export type TokenProblem = 'malformed' | 'forged' | 'expired';

export class SignedTokenError extends Error {
  override readonly name = 'SignedTokenError';
  readonly problem: TokenProblem;
  constructor(problem: TokenProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** A 32-byte key for one purpose, derived from the deployment's encryption key. */
export function derivePurposeKey(encryptionKeyBase64: string, purpose: string): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(encryptionKeyBase64, 'base64'),
      '',
      `mailroom ${purpose} v1`,
      32,
    ),
  );
}

/** Equal strings, compared in constant time (a length difference is not secret). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const expiry = z.object({ expiresAt: z.number() });

export class TokenSigner<T extends object> {
  private readonly key: Buffer;
  private readonly purpose: string;
  private readonly schema: z.ZodType<T>;

  constructor(encryptionKeyBase64: string, purpose: string, schema: z.ZodType<T>) {
    this.key = derivePurposeKey(encryptionKeyBase64, purpose);
    this.purpose = purpose;
    this.schema = schema;
  }

  sign(payload: T, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const body = Buffer.from(JSON.stringify({ ...payload, expiresAt })).toString('base64url');
    return { token: `${body}.${this.mac(body)}`, expiresAt };
  }

  /** The payload, or SignedTokenError saying whether the token is malformed, forged or expired. */
  verify(token: string, now = Date.now()): T & { expiresAt: number } {
    const parts = token.split('.');
    const [body, mac] = parts;
    if (parts.length !== 2 || !body || !mac) {
      throw new SignedTokenError('malformed', `malformed ${this.purpose}`);
    }
    if (!safeEqual(this.mac(body), mac)) {
      throw new SignedTokenError('forged', `${this.purpose} signature does not match`);
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw new SignedTokenError('malformed', `malformed ${this.purpose}`);
    }
    const payload = this.schema.safeParse(json);
    const exp = expiry.safeParse(json);
    if (!payload.success || !exp.success) {
      throw new SignedTokenError('malformed', `malformed ${this.purpose}`);
    }
    if (exp.data.expiresAt <= now) {
      throw new SignedTokenError('expired', `${this.purpose} has expired`);
    }
    return { ...payload.data, expiresAt: exp.data.expiresAt };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
