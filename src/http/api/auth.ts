import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Orm } from '../../db/orm.ts';
import { workspaceScope, type WorkspaceScope } from '../../db/workspace-scope.ts';
import { MailroomError } from '../../errors.ts';
import { authenticateApiKey } from '../../workspaces/api-keys.ts';
import { carriesCsrfToken, requestSession } from '../web/request-session.ts';

/**
 * Authentication for `/api/v1`: every request but the OpenAPI document carries
 * `Authorization: Bearer <key>`, or the web views' session cookie (a session acts as the key it
 * was opened with). The key's workspace becomes the request's `WorkspaceScope`, the only way its
 * handlers reach data; a missing, malformed, unknown or revoked key or session is one 401.
 *
 * A cookie is sent by the browser on its own, so a state-changing request made with one must
 * also carry the session's CSRF token in `x-csrf-token`, which only the signed-in page can read
 * (403 otherwise). A Bearer key is never sent on its own, so it needs no such token.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class CsrfRejectedError extends MailroomError {
  override readonly name = 'CsrfRejectedError';
  constructor() {
    super('CSRF_REJECTED', "this request needs the session's CSRF token in x-csrf-token");
  }
}
declare module 'fastify' {
  interface FastifyRequest {
    apiAuth: { keyId: string; scope: WorkspaceScope } | null;
  }
}

export class UnauthenticatedError extends MailroomError {
  override readonly name = 'UnauthenticatedError';
  constructor() {
    super('UNAUTHENTICATED', 'a valid API key is required: Authorization: Bearer <key>');
  }
}

export function bearerKey(header: string | undefined): string | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

export function registerApiAuth(
  app: FastifyInstance,
  orm: Orm,
  isPublic: (req: FastifyRequest) => boolean,
): void {
  app.decorateRequest('apiAuth', null);
  app.addHook('onRequest', async (req) => {
    if (isPublic(req)) {
      return;
    }
    const key = bearerKey(req.headers.authorization);
    if (key !== null) {
      const auth = await authenticateApiKey(orm.em.fork(), key);
      if (auth === null) {
        throw new UnauthenticatedError();
      }
      req.apiAuth = { keyId: auth.keyId, scope: workspaceScope(orm.em.fork(), auth.workspaceId) };
      return;
    }
    const session = (await requestSession(req, orm.em.fork()))?.session ?? null;
    if (session === null) {
      throw new UnauthenticatedError();
    }
    if (!SAFE_METHODS.has(req.method) && !carriesCsrfToken(req, session)) {
      throw new CsrfRejectedError();
    }
    req.apiAuth = {
      keyId: session.keyId,
      scope: workspaceScope(orm.em.fork(), session.workspaceId),
    };
  });
}

/** The request's workspace scope (set by the auth hook before any handler runs). */
export function scopeOf(req: FastifyRequest): WorkspaceScope {
  if (req.apiAuth === null) {
    throw new UnauthenticatedError();
  }
  return req.apiAuth.scope;
}
