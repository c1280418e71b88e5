import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Orm } from '../../db/orm.ts';
import { registerMessageBodyRoute } from './message-body-route.ts';
import { registerSessionRoutes } from './session-routes.ts';

/**
 * The web views at `/app` (issue 14): the built single-page app (`npm run build:web` writes
 * `dist/web`; `npm ci` runs it) served with @fastify/static, client routes answered with its
 * `index.html`, and the session routes. Everything under `/app` gets @fastify/helmet's headers
 * with a Content-Security-Policy that allows this origin only: no inline script, no remote
 * script, style, font, image or connection, no framing by other sites. A message's HTML is shown
 * in a sandboxed `srcdoc` frame, which inherits this policy.
 */
export const WEB_DIST = fileURLToPath(new URL('../../../dist/web', import.meta.url));

export async function registerWeb(
  app: FastifyInstance,
  deps: { orm: Orm; publicUrl: string; dist?: string },
): Promise<void> {
  const root = deps.dist ?? WEB_DIST;
  await app.register(async (web) => {
    await web.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          frameSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          // Everything is same-origin already; upgrading would break a plain-http deployment
          // (a local demo on 127.0.0.1).
          upgradeInsecureRequests: null,
        },
      },
      // The frame of a message is same-origin srcdoc; nothing here is embedded cross-origin.
      crossOriginEmbedderPolicy: false,
      // `no-referrer` (helmet's default) makes Chromium send `Origin: null` with the sign-in
      // form's post, which the sign-in's same-origin check must refuse; same-origin keeps the
      // real origin there and still sends nothing to other sites.
      referrerPolicy: { policy: 'same-origin' },
    });
    registerSessionRoutes(web, deps);
    registerMessageBodyRoute(web, deps);
    if (!existsSync(root)) {
      web.get('/app*', (_req, reply) =>
        reply
          .code(503)
          .type('text/plain')
          .send('The web views are not built: run `npm run build:web` (npm ci runs it).\n'),
      );
      return;
    }
    await web.register(fastifyStatic, {
      root,
      prefix: '/app/',
      index: 'index.html',
      wildcard: false,
      // Hashed asset names change with their content; the page itself is always revalidated.
      setHeaders: (res, path) => {
        void res.header(
          'cache-control',
          path.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
        );
      },
    });
    web.get('/app', (_req, reply) => reply.redirect('/app/'));
    web.get('/app/*', (req, reply) => {
      // A missing asset is a 404, not the page: only client routes fall back to index.html.
      if (req.url.startsWith('/app/assets/')) {
        return reply.code(404).send();
      }
      return reply.sendFile('index.html');
    });
  });
}
