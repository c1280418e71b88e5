import type { FastifyInstance } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.ts';
import { recordPush } from '../observability/metrics.ts';
import {
  pushTokenVerifier,
  type PushTokenVerifier,
} from '../providers/google/pubsub/verify-push-token.ts';
import type { PushWaker } from '../push/push-waker.ts';
import { receiveGmailPush } from '../push/receive-gmail-push.ts';
import { receiveGraphNotifications } from '../push/receive-graph-notifications.ts';

/** Graph batches notifications; anything bigger than this is not Graph. */
const BODY_LIMIT_BYTES = 1024 * 1024;
/** Graph's validation tokens are short; a longer one is not echoed. */
const MAX_VALIDATION_TOKEN_CHARS = 1024;

export interface PushRouteDeps {
  config: Config;
  db: () => EntityManager;
  waker: PushWaker;
}

/**
 * `POST /push/google` and `POST /push/microsoft` (product.md "Push"). They answer fast and only
 * wake syncs (src/push). Bodies are read leniently: a body that is not JSON is acknowledged and
 * ignored like any other bogus push, not refused by the framework (Pub/Sub and Graph would only
 * send it again). A failure to wake (Redis down) is a 5xx, so the provider delivers it again
 * later: at-least-once, as both promise. With push off both acknowledge and wake nothing.
 */
export function registerPushRoutes(app: FastifyInstance, deps: PushRouteDeps): void {
  const { config } = deps;
  const audience = config.google.pubsubAudience;
  const verify: PushTokenVerifier | null = audience
    ? pushTokenVerifier({
        audience,
        serviceAccount: config.google.pubsubServiceAccount,
        certsUrl: config.google.certsUrl,
      })
    : null;

  void app.register((scope, _opts, registered) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
      (_req, body, done) => {
        try {
          done(null, body === '' ? null : (JSON.parse(body as string) as unknown));
        } catch {
          done(null, null);
        }
      },
    );

    scope.post('/push/google', async (req, reply) => {
      if (verify && !(await verify(req.headers.authorization))) {
        recordPush('google', 'rejected');
        return reply.code(401).send({ error: 'push token missing or not valid' });
      }
      const outcome = config.push.enabled
        ? await receiveGmailPush(deps.db(), deps.waker, req.body)
        : 'ignored';
      recordPush('google', outcome);
      return reply.code(204).send();
    });

    scope.post<{ Querystring: { validationToken?: unknown } }>(
      '/push/microsoft',
      async (req, reply) => {
        // The validation handshake of a subscription being created: echo the (decoded) token as
        // plain text, within Graph's 10 s (provider-apis.md §D.6).
        const token = req.query.validationToken;
        if (token !== undefined) {
          if (typeof token !== 'string' || token.length > MAX_VALIDATION_TOKEN_CHARS) {
            return reply.code(400).type('text/plain; charset=utf-8').send('bad validationToken');
          }
          return reply.code(200).type('text/plain; charset=utf-8').send(token);
        }
        if (!config.push.enabled) {
          recordPush('microsoft', 'ignored');
          return reply.code(202).send();
        }
        const counts = await receiveGraphNotifications(deps.db(), deps.waker, req.body);
        const items = counts.woken + counts.rejected;
        recordPush('microsoft', 'woken', counts.woken);
        recordPush('microsoft', 'rejected', counts.rejected);
        recordPush('microsoft', 'ignored', items === 0 ? 1 : 0);
        return reply.code(202).send();
      },
    );
    registered();
  });
}
