import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../app/services.ts';
import { MailroomError } from '../../errors.ts';

/**
 * The per-key request budget of the API and of MCP (`MAILROOM_API_RATE_LIMIT` a minute), kept in
 * Redis (@fastify/rate-limit) so it holds across API processes; an MCP call and an API call with
 * the same key draw on one budget. Requests without a key (refused anyway) are not counted. While
 * Redis is down the limit is not enforced rather than every request failing with it.
 */
export async function registerKeyRateLimit(
  app: FastifyInstance,
  services: Services,
  keyIdOf: (req: FastifyRequest) => string | null,
): Promise<void> {
  const { config } = services;
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.http.apiRateLimit,
    timeWindow: 60_000,
    redis: services.redis('producer'),
    nameSpace: `${config.sync.queuePrefix}:api-rate:`,
    keyGenerator: (req) => keyIdOf(req) ?? req.ip,
    skipOnError: true,
    allowList: (req) => keyIdOf(req) === null,
    // Thrown to the error handler, which answers in the API's error shape; the plugin has set
    // Retry-After by then.
    errorResponseBuilder: (_req, ctx) =>
      new MailroomError(
        'RATE_LIMITED',
        `rate limit of ${String(ctx.max)} requests a minute reached; retry in ${ctx.after}`,
      ),
  });
}
