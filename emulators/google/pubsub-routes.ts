import type { FastifyInstance } from 'fastify';
import { googleError } from './google-error.ts';
import type { GoogleIdTokens } from './google-id-token.ts';
import type { PubSubPush } from './pubsub-push.ts';

/**
 * Pub/Sub's side of Gmail push: `GET /oauth2/v1/certs`, where Google publishes the certificates
 * of the keys signing push id tokens (google-auth-library's `oauth2FederatedSignonPemCertsUrl`),
 * and the `/__control/pubsub` interface that stands in for creating push subscriptions in the
 * Cloud console, plus minting a token (valid, expired or forged) for tests of the receiving end.
 */
export function registerPubSubRoutes(
  app: FastifyInstance,
  deps: { pubsub: PubSubPush; tokens: GoogleIdTokens },
): void {
  const { pubsub, tokens } = deps;

  app.get('/oauth2/v1/certs', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').send(await tokens.certs()),
  );

  app.post('/__control/pubsub/subscriptions', (req, reply) => {
    const made = pubsub.subscribe(req.body ?? {});
    return 'refused' in made
      ? reply.code(400).send(googleError(400, 'invalidArgument', made.refused))
      : reply.code(201).send({ name: made.name });
  });
  app.get('/__control/pubsub/subscriptions', (_req, reply) =>
    reply.send({ subscriptions: pubsub.list() }),
  );
  app.delete('/__control/pubsub/subscriptions', (_req, reply) => {
    pubsub.clear();
    return reply.send({ deleted: true });
  });

  app.post('/__control/pubsub/token', (req, reply) => {
    const body = (req.body ?? {}) as {
      audience?: string;
      email?: string;
      expired?: boolean;
      foreign?: boolean;
    };
    if (!body.audience) {
      return reply.code(400).send(googleError(400, 'invalidArgument', 'audience is required'));
    }
    const token = tokens.sign({
      audience: body.audience,
      email: body.email ?? 'pubsub-push@mailroom-local.iam.gserviceaccount.com',
      expired: body.expired === true,
      foreign: body.foreign === true,
    });
    return reply.send({ token });
  });
}
