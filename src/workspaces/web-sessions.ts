import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  deleteWebSession,
  findWebSession,
  insertWebSession,
  type WebSession,
} from '../db/repositories/web-session.repository.ts';
import { safeEqual } from '../security/signed-token.ts';
import { authenticateApiKey } from './api-keys.ts';

/**
 * Sessions of the web views: an API key is exchanged once for a random session token (the
 * cookie; only its SHA-256 is stored, so a database dump opens no session) and a CSRF token the
 * page repeats on every state-changing request. A session acts exactly as its key would: it ends
 * when the key is revoked.
 */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function signIn(
  em: EntityManager,
  apiKey: string,
): Promise<{ token: string; session: WebSession } | null> {
  const auth = await authenticateApiKey(em, apiKey);
  if (auth === null) {
    return null;
  }
  const token = randomBytes(32).toString('base64url');
  const session = {
    keyId: auth.keyId,
    workspaceId: auth.workspaceId,
    csrfToken: randomBytes(32).toString('base64url'),
  };
  await insertWebSession(em, {
    tokenHash: hashToken(token),
    ...session,
    ttlSeconds: SESSION_TTL_SECONDS,
  });
  return { token, session };
}

export function sessionOf(em: EntityManager, token: string): Promise<WebSession | null> {
  return findWebSession(em, hashToken(token));
}

export async function signOut(em: EntityManager, token: string): Promise<void> {
  await deleteWebSession(em, hashToken(token));
}

/** The CSRF check: the header repeats the session's token (compared in constant time). */
export function csrfMatches(session: WebSession, header: string | undefined): boolean {
  return header !== undefined && safeEqual(session.csrfToken, header);
}
