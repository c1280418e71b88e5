import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Orm } from '../../db/orm.ts';
import { SESSION_TTL_SECONDS, signIn, signOut } from '../../workspaces/web-sessions.ts';
import { errorBody } from '../error-handler.ts';
import { sameOrigin } from '../same-origin.ts';
import { carriesCsrfToken, requestSession } from './request-session.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';

/**
 * Signing in to the web views (product.md, "Web views"):
 *
 * - `POST /app/session` with `apiKey` (JSON from the page's script, or the sign-in form posted
 *   as `application/x-www-form-urlencoded` without script) opens a session: 200
 *   `{workspaceId, csrfToken}` and the cookie, or 401 for a wrong key; a form post is redirected
 *   (303) to `/app/`, with `?signin=failed` when refused.
 * - `GET /app/session`: `{"signedIn":true, workspaceId, csrfToken}`, or `{"signedIn":false}` (a
 *   200 either way: being signed out is an answer, not an error a browser logs).
 * - `DELETE /app/session` (CSRF token in `x-csrf-token`) signs out: 204, the cookie cleared.
 *
 * A sign-in from another site (an `Origin` that is not this one) is refused, so no page elsewhere
 * can sign a visitor in to an account of its choosing.
 */
interface Deps {
  orm: Orm;
  publicUrl: string;
}

const FORM = 'application/x-www-form-urlencoded';

export function registerSessionRoutes(app: FastifyInstance, deps: Deps): void {
  const secure = deps.publicUrl.startsWith('https://');
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post('/app/session', { bodyLimit: 4096 }, async (req, reply: FastifyReply) => {
    const form = (req.headers['content-type'] ?? '').startsWith(FORM);
    if (!sameOrigin(req, deps.publicUrl)) {
      return reply.code(403).send(errorBody('CSRF_REJECTED', 'sign-in from another site'));
    }
    const apiKey = (req.body as { apiKey?: unknown } | null)?.apiKey;
    const opened =
      typeof apiKey === 'string' && apiKey.length <= 200
        ? await signIn(deps.orm.em.fork(), apiKey.trim())
        : null;
    if (opened === null) {
      return form
        ? reply.code(303).header('location', '/app/?signin=failed').send()
        : reply.code(401).send(errorBody('UNAUTHENTICATED', 'that API key is not valid'));
    }
    void reply.header('set-cookie', setSessionCookie(opened.token, SESSION_TTL_SECONDS, secure));
    return form
      ? reply.code(303).header('location', '/app/').send()
      : reply.send({
          workspaceId: opened.session.workspaceId,
          csrfToken: opened.session.csrfToken,
        });
  });

  app.get('/app/session', async (req, reply) => {
    const session = (await requestSession(req, deps.orm.em.fork()))?.session ?? null;
    void reply.header('cache-control', 'no-store');
    if (session === null) {
      return reply.send({ signedIn: false });
    }
    return reply.send({
      signedIn: true,
      workspaceId: session.workspaceId,
      csrfToken: session.csrfToken,
    });
  });

  app.delete('/app/session', async (req, reply) => {
    const em = deps.orm.em.fork();
    const found = await requestSession(req, em);
    if (found === null) {
      return reply.code(204).header('set-cookie', clearSessionCookie(secure)).send();
    }
    if (!carriesCsrfToken(req, found.session)) {
      return reply.code(403).send(errorBody('CSRF_REJECTED', 'sign-out needs x-csrf-token'));
    }
    await signOut(em, found.token);
    return reply.code(204).header('set-cookie', clearSessionCookie(secure)).send();
  });
}
