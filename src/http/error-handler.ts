import type { FastifyInstance } from 'fastify';
import { MailroomError, httpStatusOf } from '../errors.ts';
import { StateError } from '../security/signed-state.ts';

/** Domain errors → HTTP statuses with stable codes (the table is in errors.ts); internals never leak. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: Error, req, reply) => {
    if (err instanceof StateError) {
      return reply.code(400).send({ error: 'OAUTH_BAD_STATE', message: err.message });
    }
    if (err instanceof MailroomError) {
      return reply.code(httpStatusOf(err.code)).send({ error: err.code, message: err.message });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status < 500) {
      return reply.code(status).send({ error: 'BAD_REQUEST', message: err.message });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error' });
  });
}
