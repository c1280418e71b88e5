import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { WebSession } from '../../db/repositories/web-session.repository.ts';
import { csrfMatches, sessionOf } from '../../workspaces/web-sessions.ts';
import { readSessionCookie } from './session-cookie.ts';

/**
 * The web session a request's cookie names, with its token, or null (no cookie, or a session
 * ended, expired or of a revoked key). The one way the API, the session routes and the message
 * frame read a session.
 */
export async function requestSession(
  req: FastifyRequest,
  em: EntityManager,
): Promise<{ token: string; session: WebSession } | null> {
  const token = readSessionCookie(req);
  const session = token === undefined ? null : await sessionOf(em, token);
  return token === undefined || session === null ? null : { token, session };
}

/** Whether the request repeats the session's CSRF token in `x-csrf-token`. */
export function carriesCsrfToken(req: FastifyRequest, session: WebSession): boolean {
  const header = req.headers['x-csrf-token'];
  return csrfMatches(session, typeof header === 'string' ? header : undefined);
}
