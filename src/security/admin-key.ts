import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The operator's admin key (`MAILROOM_ADMIN_KEY`, the queue dashboard at `/admin/queues`), given
 * as `Authorization: Bearer <key>` (scripts) or as HTTP Basic auth with any user name and the key
 * as the password (a browser's own prompt). Both sides are hashed with SHA-256 first, so the
 * constant-time comparison always sees two 32-byte digests and not even the key's length leaks.
 */
export const ADMIN_REALM = 'mailroom-admin';

/** Whether the `Authorization` header carries `key`, as a Bearer token or a Basic password. */
export function adminKeyMatches(authorization: string | undefined, key: string): boolean {
  const given = presentedKey(authorization);
  if (given === null) {
    return false;
  }
  return timingSafeEqual(digest(given), digest(key));
}

function presentedKey(authorization: string | undefined): string | null {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization ?? '');
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2];
  if (value === undefined) {
    return null;
  }
  if (scheme === 'bearer') {
    return value;
  }
  if (scheme === 'basic') {
    // `user:password`; the user name is not checked (RFC 7617: it may not contain a colon).
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? null : decoded.slice(colon + 1);
  }
  return null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
