import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A Graph subscription's `clientState`: a random secret Graph repeats in every notification and
 * lifecycle event of that subscription, the only proof that a POST to `/push/microsoft` came from
 * Graph. It is at most 128 characters (provider-apis.md §D.6); 32 random bytes make 43.
 */
export function newClientState(): string {
  return randomBytes(32).toString('base64url');
}

/** Only the digest is stored: a database reader cannot forge notifications with it. */
export function hashClientState(clientState: string): Buffer {
  return createHash('sha256').update(clientState, 'utf8').digest();
}

/** Constant time: digests of equal length, whatever the caller sent. */
export function clientStateMatches(given: unknown, storedHash: Buffer | null): boolean {
  if (typeof given !== 'string' || storedHash === null || storedHash.length !== 32) {
    return false;
  }
  return timingSafeEqual(hashClientState(given), storedHash);
}
