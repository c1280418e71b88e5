import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { addDeliveries } from '../db/repositories/webhook-delivery.repository.ts';
import type { EventEnvelope } from '../events/envelope.ts';
import { deliveryJobFor } from './delivery-job-spec.ts';

export interface FanOutDeps {
  em: EntityManager;
  /** The `webhooks` queue. */
  queue: Queue;
  config: Config['webhooks'];
}

/**
 * The seam the event relay calls for each batch it publishes: a delivery row for every enabled
 * webhook of the event's workspace subscribed to its type, and one job per (webhook, event) with a
 * deterministic id. Safe to call again for the same events (the relay is at-least-once): existing
 * rows stay, and a delivery still `retrying` is queued under the same job id, which BullMQ ignores
 * while that job exists; one a crash left unqueued is queued now. Returns the jobs queued.
 */
export async function fanOutToWebhooks(
  deps: FanOutDeps,
  envelopes: readonly EventEnvelope[],
): Promise<number> {
  const pending = await addDeliveries(
    deps.em.fork(),
    envelopes.map((e) => ({ id: e.id, type: e.type, workspaceId: e.workspaceId, envelope: e })),
  );
  if (pending.length > 0) {
    await deps.queue.addBulk(pending.map((p) => deliveryJobFor(deps.config, p)));
  }
  return pending.length;
}
