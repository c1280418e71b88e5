import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `mr_<prefix>_<secret>`. The prefix (12 hex digits, not secret) finds the stored row;
 * the secret is 32 random bytes. Only a SHA-256 of the whole key is stored: the key has 256 bits of
 * entropy, so nothing can be guessed from the hash and no password stretching is needed (GitHub
 * and Stripe store their tokens the same way). Comparison is constant-time.
 */
const KEY = /^mr_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `mr_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The lookup prefix of a well-formed key; null for anything else (never looked up). */
export function apiKeyPrefix(key: string): string | null {
  return KEY.exec(key)?.[1] ?? null;
}

/** Whether `key` hashes to `storedHash`, compared in constant time. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKey(key), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
