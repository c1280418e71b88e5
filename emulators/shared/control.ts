import type { FastifyInstance } from 'fastify';
import { registerAnswerDelays, type FaultInjector, type FaultSpec } from './faults.ts';

/**
 * The part of the `/__control` interface both emulators share: tests, the demo and the benchmark
 * queue faults with `POST /__control/faults {faults: FaultSpec[]}` and drop the ones not yet
 * served with `DELETE /__control/faults`.
 */
export function registerFaultControl(app: FastifyInstance, faults: FaultInjector): void {
  registerAnswerDelays(app);
  // Synchronous handlers answer with reply.send (fastify ignores a sync handler's return value).
  app.post('/__control/faults', (req, reply) => {
    for (const f of (req.body as { faults: FaultSpec[] }).faults) {
      faults.add(f);
    }
    return reply.send({ ok: true });
  });
  app.delete('/__control/faults', (_req, reply) => {
    faults.clear();
    return reply.send({ ok: true });
  });
}
