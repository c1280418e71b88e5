import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Orm } from '../../db/orm.ts';
import { workspaceScope } from '../../db/workspace-scope.ts';
import { getEmail } from '../../services/emails.ts';
import { errorBody } from '../error-handler.ts';
import { requestSession } from './request-session.ts';

/**
 * `GET /app/emails/{id}/body`: a message's sanitised HTML (what `GET /api/v1/emails/{id}` returns
 * as `html`) as a document of its own, for the thread view's sandboxed frame. A `srcdoc` frame
 * would inherit the app's CSP, whose `style-src 'self'` refuses the inline styles nearly every
 * HTML email is made of (and logs an error for each). This document has its own policy instead:
 * inline styles and data: images only, nothing else loads, no script runs, and the `sandbox`
 * directive gives it an opaque origin even if opened on its own. Signed-in sessions only (the
 * cookie; no key in a frame's URL).
 */
const BODY_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  'font-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox',
].join('; ');

const params = z.object({ id: z.uuid() });

export function registerMessageBodyRoute(app: FastifyInstance, deps: { orm: Orm }): void {
  app.get('/app/emails/:id/body', async (req, reply) => {
    const parsed = params.safeParse(req.params);
    if (!parsed.success) {
      return reply.code(404).send(errorBody('NOT_FOUND', 'no such email'));
    }
    const session = (await requestSession(req, deps.orm.em.fork()))?.session ?? null;
    if (session === null) {
      return reply.code(401).send(errorBody('UNAUTHENTICATED', 'not signed in'));
    }
    const email = await getEmail(
      workspaceScope(deps.orm.em.fork(), session.workspaceId),
      parsed.data.id,
    );
    if (email.html === null) {
      return reply.code(404).send(errorBody('NOT_FOUND', 'this email has no HTML part'));
    }
    return reply
      .header('content-security-policy', BODY_CSP)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><meta charset="utf-8">${email.html}`);
  });
}
