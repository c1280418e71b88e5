import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { NotFoundError } from '../errors.ts';
import { reopenDeliveries } from '../db/repositories/webhook-delivery.repository.ts';
import { findWebhook } from '../db/repositories/webhook.repository.ts';
import { deliveryJobFor } from './delivery-job-spec.ts';

/**
 * `webhook:replay`: sends settled deliveries again (one event, or every one since a time), each
 * with a fresh attempt budget and the same `webhook-id`, so a receiver that deduplicates on it
 * sees a replay of an event it already processed as a duplicate. The attempt log keeps history.
 */
export async function replayWebhook(
  deps: { em: EntityManager; queue: Queue; config: Config['webhooks'] },
  webhookId: string,
  which: { eventId: string } | { since: Date },
): Promise<{ replayed: number }> {
  const webhook = await findWebhook(deps.em, webhookId);
  if (webhook === null) {
    throw new NotFoundError(`webhook ${webhookId} not found`);
  }
  const reopened = await reopenDeliveries(deps.em, webhookId, which);
  if (reopened.length > 0) {
    await deps.queue.addBulk(reopened.map((p) => deliveryJobFor(deps.config, p)));
  }
  return { replayed: reopened.length };
}
