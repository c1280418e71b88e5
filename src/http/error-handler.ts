import type { FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { MailroomError, httpStatusOf } from '../errors.ts';
import { StateError } from '../security/signed-state.ts';

/**
 * Domain errors → HTTP statuses with stable codes (the table is in errors.ts), in product.md's
 * shape `{"error":{"code","message"}}`; internals never leak. A request that fails its schema is
 * a 400 whose message names the parameter (`querystring.limit: …`).
 */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: Error, req, reply) => {
    if (err instanceof StateError) {
      return reply.code(400).send(errorBody('OAUTH_BAD_STATE', err.message));
    }
    if (err instanceof MailroomError) {
      return reply.code(httpStatusOf(err.code)).send(errorBody(err.code, err.message));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = (err as { validationContext?: string }).validationContext ?? 'request';
      const message = err.validation
        .map((v) => {
          const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
          return `${where}${path ? `.${path}` : ''}: ${v.message ?? 'invalid'}`;
        })
        .join('; ');
      return reply.code(400).send(errorBody('INVALID_INPUT', message));
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 429) {
      return reply.code(429).send(errorBody('RATE_LIMITED', err.message));
    }
    if (status !== undefined && status < 500) {
      return reply.code(status).send(errorBody('BAD_REQUEST', err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });
}
