import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../errors.ts';
import { listAttempts } from '../db/repositories/webhook-attempt.repository.ts';
import { findDelivery, listDeliveries } from '../db/repositories/webhook-delivery.repository.ts';
import {
  deleteWebhook as deleteWebhookRow,
  findWebhook,
  listWebhooks as listWebhookRows,
} from '../db/repositories/webhook.repository.ts';

/** `webhook:list`, `webhook:delete` and `webhook:deliveries`: what an operator sees. Never the secret. */
export interface WebhookView {
  id: string;
  url: string;
  /** null: every type. */
  events: string[] | null;
  enabled: boolean;
  disabledReason: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
}

export async function listWebhooks(em: EntityManager, workspaceId: string) {
  const rows = await listWebhookRows(em, workspaceId);
  return {
    webhooks: rows.map((w): WebhookView => ({
      id: w.id,
      url: w.url,
      events: w.eventTypes,
      enabled: w.enabled,
      disabledReason: w.disabledReason,
      lastError: w.lastError,
      lastErrorAt: w.lastErrorAt?.toISOString() ?? null,
      createdAt: w.createdAt.toISOString(),
    })),
  };
}

/** Deletes the webhook, its deliveries and their log; jobs still queued for it find nothing. */
export async function deleteWebhook(em: EntityManager, webhookId: string) {
  if (!(await deleteWebhookRow(em, webhookId))) {
    throw new NotFoundError(`webhook ${webhookId} not found`);
  }
  return { deleted: webhookId };
}

/** Where a delivery stands in the newest-first list: queued at `createdKey` (to the µs). */
export interface DeliveryKey {
  createdKey: string;
  eventId: string;
}

export interface DeliveryView {
  eventId: string;
  type: string;
  attempts: number;
  status: 'retrying' | 'delivered' | 'failed';
  responseStatus: number | null;
  error: string | null;
  /** The last attempt's time, or when the delivery was queued if none was made yet. */
  at: string;
  /** Every attempt, with `--event`: time, status, duration, error and the first 1 KB of the body. */
  log?: {
    at: string;
    responseStatus: number | null;
    durationMs: number;
    error: string | null;
    responseBody: string | null;
  }[];
}

/**
 * Newest first; `eventId` narrows it to one delivery and adds its attempt log. `keys` holds
 * each delivery's keyset position (the API's cursors; the CLI does not print them).
 */
export async function webhookDeliveries(
  em: EntityManager,
  webhookId: string,
  opts: {
    limit: number;
    eventId?: string;
    /** Continue after this delivery (the API's cursor): the one queued at `createdKey`. */
    before?: DeliveryKey;
  },
): Promise<{ deliveries: DeliveryView[]; keys: DeliveryKey[] }> {
  if ((await findWebhook(em, webhookId)) === null) {
    throw new NotFoundError(`webhook ${webhookId} not found`);
  }
  const one = opts.eventId === undefined ? null : await findDelivery(em, webhookId, opts.eventId);
  const wanted =
    opts.eventId === undefined
      ? await listDeliveries(em, webhookId, opts.limit, opts.before)
      : one === null
        ? []
        : [one];
  const deliveries: DeliveryView[] = [];
  for (const d of wanted) {
    const view: DeliveryView = {
      eventId: d.eventId,
      type: d.type,
      attempts: d.attempts,
      status: d.status,
      responseStatus: d.responseStatus,
      error: d.error,
      at: (d.lastAttemptAt ?? d.createdAt).toISOString(),
    };
    if (opts.eventId !== undefined) {
      view.log = (await listAttempts(em, webhookId, d.eventId)).map((a) => ({
        ...a,
        at: a.at.toISOString(),
      }));
    }
    deliveries.push(view);
  }
  return {
    deliveries,
    keys: wanted.map((d) => ({ createdKey: d.createdKey, eventId: d.eventId })),
  };
}
