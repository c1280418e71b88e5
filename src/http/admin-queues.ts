import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import helmet from '@fastify/helmet';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { ADMIN_REALM, adminKeyMatches } from '../security/admin-key.ts';
import { errorBody } from './error-handler.ts';
import { sameOrigin } from './same-origin.ts';

/** Where the dashboard is served. */
export const ADMIN_QUEUES_PATH = '/admin/queues';

export interface AdminQueuesDeps {
  /** `MAILROOM_ADMIN_KEY`; the caller mounts nothing without one. */
  adminKey: string;
  publicUrl: string;
  /** The queues shown: sync, events, webhooks. */
  queues: readonly Queue[];
}

/**
 * The queue dashboard (bull-board) at `/admin/queues`, for the operator: every queue's jobs by
 * state, a job's data, logs and failure, and the actions bull-board offers (retry, promote, clean,
 * pause). Everything under the path, its scripts and JSON API included, asks for the admin key
 * (admin-key.ts): as a Bearer token, or as the password of HTTP Basic auth, which a browser asks
 * for itself after the 401's `WWW-Authenticate` and then sends with the page's own requests.
 *
 * A browser also sends Basic credentials with requests another site makes it send, so a request
 * that changes something (anything but GET and HEAD) from another origin is refused. The page has
 * a Content-Security-Policy of its own (the web views' stricter one is scoped to `/app`): scripts
 * and connections from this origin only; inline styles are allowed because bull-board's page and
 * React components set them; `base-uri 'self'` because the page locates its assets with `<base>`.
 */
export async function registerAdminQueues(
  app: FastifyInstance,
  deps: AdminQueuesDeps,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Mailroom queues' } },
  });
  await app.register(async (admin) => {
    await admin.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          // As for /app: a plain-http deployment (a local demo) must keep working.
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
    });
    admin.addHook('onRequest', async (req, reply) => {
      if (!adminKeyMatches(req.headers.authorization, deps.adminKey)) {
        return reply
          .code(401)
          .header('www-authenticate', `Basic realm="${ADMIN_REALM}", charset="UTF-8"`)
          .send(errorBody('UNAUTHENTICATED', 'the admin key is missing or wrong'));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD' && !sameOrigin(req, deps.publicUrl)) {
        return reply.code(403).send(errorBody('CSRF_REJECTED', 'a change from another site'));
      }
      // Job data is the operator's only: no shared cache keeps a copy.
      void reply.header('cache-control', 'no-store');
    });
    await admin.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
}
