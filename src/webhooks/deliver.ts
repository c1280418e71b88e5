import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { AttemptLog } from '../db/repositories/webhook-attempt.repository.ts';
import {
  failDelivery,
  type DeliveryStatus,
} from '../db/repositories/webhook-delivery.repository.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GuardedFetch } from '../security/egress-guard.ts';
import { recordWebhookAttempt } from '../observability/metrics.ts';
import { signWebhook } from '../security/webhook-signature.ts';
import type { DeliveryBatcher } from './delivery-batcher.ts';
import type { EndpointSlots } from './endpoint-slots.ts';
import { postWebhook } from './post-webhook.ts';

export interface DeliverDeps {
  em: EntityManager;
  store: DeliveryBatcher;
  /** A webhook's sealed secret, opened (secrets.ts keeps the opened ones). */
  openSecret: (sealed: string) => string;
  http: GuardedFetch;
  slots: EndpointSlots;
  config: Config['webhooks'];
}

/** What one run of a delivery job came to; the job maps it onto BullMQ. */
export type DeliveryOutcome =
  | { kind: 'delivered'; responseStatus: number }
  /** Not delivered; another attempt follows (BullMQ backoff). */
  | { kind: 'retry'; error: string }
  /** Not delivered and no attempt follows: attempts used up, 410 Gone, or webhook disabled. */
  | { kind: 'failed'; error: string }
  /** Its endpoint is at its in-flight limit: no attempt was made. */
  | { kind: 'busy' }
  /** Nothing to do: the webhook was deleted or the delivery already settled (a duplicate job). */
  | { kind: 'settled' };

/**
 * One attempt at one delivery: signs the stored envelope with the webhook's secret (Standard
 * Webhooks; `webhook-id` is the event id on every attempt, `webhook-timestamp` this attempt's
 * time), POSTs it through the egress-guarded fetch, and logs the attempt with the delivery's new
 * status in one transaction. A 2xx is delivered; 410 Gone disables the webhook; anything else is
 * retried until `MAILROOM_WEBHOOK_MAX_ATTEMPTS` attempts were made, then `failed`.
 */
export async function deliverOnce(
  deps: DeliverDeps,
  webhookId: string,
  eventId: string,
): Promise<DeliveryOutcome> {
  const work = await deps.store.load({ webhookId, eventId });
  if (work?.status !== 'retrying') {
    return { kind: 'settled' };
  }
  if (!work.enabled) {
    const error = `webhook disabled: ${work.disabledReason ?? 'by an operator'}`;
    await failDelivery(deps.em.fork(), webhookId, eventId, error);
    return { kind: 'failed', error };
  }
  const holder = randomUUID();
  if (!(await deps.slots.acquire(webhookId, holder))) {
    return { kind: 'busy' };
  }
  let attempt: AttemptLog;
  try {
    const body = JSON.stringify(work.envelope);
    const at = new Date();
    const headers = signWebhook(deps.openSecret(work.sealedSecret), eventId, at, body);
    attempt = { at, ...(await postWebhook(deps.http, work.url, headers, body)) };
  } finally {
    await deps.slots.release(webhookId, holder);
  }
  const status = attemptStatus(attempt, work.attempts + 1, deps.config.maxAttempts);
  const disableReason =
    attempt.responseStatus === 410
      ? `410 Gone from ${work.url} at ${attempt.at.toISOString()}`
      : null;
  await deps.store.record({ webhookId, eventId, attempt, status, disableReason });
  recordWebhookAttempt(status);
  switch (status) {
    case 'delivered':
      return { kind: 'delivered', responseStatus: attempt.responseStatus ?? 0 };
    case 'retrying':
      return { kind: 'retry', error: attempt.error ?? 'not delivered' };
    case 'failed':
      return { kind: 'failed', error: attempt.error ?? 'not delivered' };
  }
}

function attemptStatus(attempt: AttemptLog, made: number, max: number): DeliveryStatus {
  const code = attempt.responseStatus;
  if (code !== null && code >= 200 && code < 300) {
    return 'delivered';
  }
  return code === 410 || made >= max ? 'failed' : 'retrying';
}
