import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (refresh tokens). The stored form names the key it was sealed
 * with (`v1.<keyId>.<iv>.<tag>.<ciphertext>`), so a key can be rotated: new writes use the current
 * key (`MAILROOM_ENCRYPTION_KEY`), reads find the right one among the current and previous keys
 * (`MAILROOM_ENCRYPTION_KEYS_OLD`), and `keys:rotate` re-seals what an old key sealed.
 */
const VERSION = 'v1';

/**
 * A secret that cannot be sealed or opened with the configured keys. It is a configuration error,
 * never a transient one: retrying cannot fix a wrong key, so the retry policy stops on it.
 */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const KEYS_HINT =
  'set MAILROOM_ENCRYPTION_KEY to the key that sealed it, or add that key to MAILROOM_ENCRYPTION_KEYS_OLD';

export function keyIdOf(keyBase64: string): string {
  return createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('hex').slice(0, 8);
}

export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKeyBase64: string, previousKeysBase64: readonly string[] = []) {
    for (const k of [currentKeyBase64, ...previousKeysBase64]) {
      const key = Buffer.from(k, 'base64');
      if (key.length !== 32) {
        throw new SecretBoxError(
          'MAILROOM_ENCRYPTION_KEY and MAILROOM_ENCRYPTION_KEYS_OLD must be 32 bytes each',
        );
      }
      this.keys.set(keyIdOf(k), key);
    }
    this.current = { id: keyIdOf(currentKeyBase64), key: Buffer.from(currentKeyBase64, 'base64') };
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv, tag, ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || ct === undefined) {
      throw new SecretBoxError('stored secret is not a sealed secret (the stored data is damaged)');
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        `MAILROOM_ENCRYPTION_KEY cannot open a stored secret: it was sealed with unknown key ${keyId} (${KEYS_HINT})`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([
        decipher.update(Buffer.from(ct, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        `MAILROOM_ENCRYPTION_KEY cannot open a stored secret: it failed authentication with key ${keyId} (wrong key or tampered data)`,
      );
    }
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}
