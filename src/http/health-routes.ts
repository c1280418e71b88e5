import type { FastifyInstance } from 'fastify';
import { errorLine } from '../error-line.ts';

/** How long one dependency may take to answer a readiness probe before it counts as down. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * Liveness and readiness, as Kubernetes and Docker mean them.
 * - `/healthz` (liveness): the process serves HTTP. It checks no dependency, so an outage of
 *   PostgreSQL or Redis never makes an orchestrator restart healthy API processes in a loop.
 * - `/readyz` (readiness): every dependency answers: 200 `{status:'ready'}`, else 503 with what
 *   failed, each check bounded so the probe never hangs on a silent server.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, () => Promise<void>>,
): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [name, await outcome(check)] as const),
      ),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
}

async function outcome(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(CHECK_TIMEOUT_MS)} ms`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (err) {
    return errorLine(err);
  } finally {
    clearTimeout(timer);
  }
}
