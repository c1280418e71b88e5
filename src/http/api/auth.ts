import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Orm } from '../../db/orm.ts';
import { workspaceScope, type WorkspaceScope } from '../../db/workspace-scope.ts';
import { MailroomError } from '../../errors.ts';
import { authenticateApiKey } from '../../workspaces/api-keys.ts';

/**
 * Bearer-key authentication for `/api/v1`: every request but the OpenAPI document must carry
 * `Authorization: Bearer <key>`. The key's workspace becomes the request's `WorkspaceScope`, the
 * only way its handlers reach data; a missing, malformed, unknown or revoked key is one 401.
 */
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
    const auth = key === null ? null : await authenticateApiKey(orm.em.fork(), key);
    if (auth === null) {
      throw new UnauthenticatedError();
    }
    req.apiAuth = { keyId: auth.keyId, scope: workspaceScope(orm.em.fork(), auth.workspaceId) };
  });
}

/** The request's workspace scope (set by the auth hook before any handler runs). */
export function scopeOf(req: FastifyRequest): WorkspaceScope {
  if (req.apiAuth === null) {
    throw new UnauthenticatedError();
  }
  return req.apiAuth.scope;
}
