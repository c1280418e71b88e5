import type { FastifyInstance } from 'fastify';
import { scrape } from '../observability/metrics.ts';

/**
 * `GET /metrics`: the process's Prometheus registry in the text format. No auth (Prometheus
 * scrapes it); `MAILROOM_METRICS=off` leaves it out. Kept out of the OpenAPI document.
 */
export function registerMetricsRoute(app: FastifyInstance): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await scrape();
    return reply.type(contentType).send(body);
  });
}
