import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Services } from '../../app/services.ts';
import { createApiDeps } from './api-deps.ts';
import { registerApiAuth } from './auth.ts';
import { registerKeyRateLimit } from './key-rate-limit.ts';
import { API_ROUTES } from './routes/index.ts';

export const API_PREFIX = '/api/v1';
const OPENAPI_PATH = `${API_PREFIX}/openapi.json`;

/**
 * The CRM API under `/api/v1`. Each route declares its request and response schemas once, in zod:
 * fastify-type-provider-zod validates requests and serialises responses with them and
 * @fastify/swagger turns them into the OpenAPI 3.1 document (`/api/v1/openapi.json`, no key;
 * rendered at `/docs` by @fastify/swagger-ui from its bundled assets, no CDN). Every other route
 * needs a key (auth.ts) and counts against the key's rate limit, kept in Redis
 * (@fastify/rate-limit) so it holds across API processes.
 */
export async function registerApi(
  app: FastifyInstance,
  { services }: { services: Services },
): Promise<void> {
  const deps = createApiDeps(services);
  const { config } = services;
  // Purges a previous API process accepted and did not finish continue here (purge-runner.ts).
  app.addHook('onReady', () => {
    deps.purges.resume().catch((err: unknown) => {
      services.log.warn({ err: (err as Error).message }, 'could not resume pending purges');
    });
    return Promise.resolve();
  });
  app.addHook('onClose', () => deps.purges.close());
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mailroom API',
        version: '1.0.0',
        description:
          'Email and calendar data of one CRM workspace: every route sees only the workspace of its API key.',
      },
      servers: [{ url: config.http.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'mr_… API key' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(
    async (api) => {
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      registerApiAuth(api, deps.services.orm, (req) => req.url.split('?')[0] === OPENAPI_PATH);
      await registerKeyRateLimit(api, deps.services, (req) => req.apiAuth?.keyId ?? null);
      api.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
      const typed = api.withTypeProvider<ZodTypeProvider>();
      for (const routes of API_ROUTES) {
        routes(typed, deps);
      }
    },
    { prefix: API_PREFIX },
  );
}
