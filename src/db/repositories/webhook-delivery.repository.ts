import { z } from 'zod';
import { jsonb, queryRow, queryRows, run, type Db } from '../sql.ts';

/**
 * Webhook deliveries, one row per (webhook, event), and their attempt log (migration
 * 20261202060000). Fan-out inserts them; the delivery job settles them; the CLI reads them.
 */
export type DeliveryStatus = 'retrying' | 'delivered' | 'failed';

/** A delivery still to make: the job id is derived from these three. */
export interface PendingDelivery {
  webhookId: string;
  eventId: string;
  replays: number;
}

const pendingRow = z.object({ webhook_id: z.string(), event_id: z.string(), replays: z.number() });
const toPending = (r: z.infer<typeof pendingRow>): PendingDelivery => ({
  webhookId: r.webhook_id,
  eventId: r.event_id,
  replays: r.replays,
});

/**
 * Adds a delivery for every enabled webhook of each event's workspace subscribed to its type
 * (existing ones are kept as they are), and returns every delivery of these events that is still
 * `retrying`: the new ones, and those a fan-out that died before queueing left behind.
 * Subscriptions are read at publish time: a webhook gets every event the relay publishes while it
 * exists, including those written before it and not yet published (a `sync` run while no worker
 * was up), as the "every outbox row is published to the webhooks subscribed to its type".
 */
export async function addDeliveries(
  db: Db,
  events: readonly { id: string; type: string; workspaceId: string; envelope: unknown }[],
): Promise<PendingDelivery[]> {
  if (events.length === 0) {
    return [];
  }
  const rows = events.map((e) => ({
    event_id: e.id,
    event_type: e.type,
    workspace_id: e.workspaceId,
    envelope: e.envelope,
  }));
  return (
    await queryRows(
      db,
      pendingRow,
      `with e as (
         select * from json_to_recordset(?::json)
           as r(event_id text, event_type text, workspace_id uuid, envelope json)
       ), inserted as (
         insert into webhook_delivery (webhook_id, event_id, event_type, envelope)
         select w.id, e.event_id, e.event_type, e.envelope
           from e join webhook w on w.workspace_id = e.workspace_id and w.enabled
            and (w.event_types is null or e.event_type = any (w.event_types))
         on conflict (webhook_id, event_id) do nothing
         returning webhook_id, event_id, replays
       )
       select webhook_id, event_id, replays from inserted
       union
       select d.webhook_id, d.event_id, d.replays
         from webhook_delivery d join e on d.event_id = e.event_id
        where d.status = 'retrying'`,
      [jsonb(rows)],
    )
  ).map(toPending);
}

const deliveryRow = z.object({
  event_id: z.string(),
  event_type: z.string(),
  envelope: z.unknown(),
  status: z.enum(['retrying', 'delivered', 'failed']),
  attempts: z.number(),
  replays: z.number(),
  response_status: z.number().nullable(),
  error: z.string().nullable(),
  last_attempt_at: z.coerce.date().nullable(),
  created_at: z.coerce.date(),
  created_key: z.string(),
});

/** Every column, and `created_at` to the microsecond as text (a Date keeps milliseconds only). */
const DELIVERY_COLUMNS = `*, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key`;

export interface DeliveryRecord {
  eventId: string;
  type: string;
  envelope: unknown;
  status: DeliveryStatus;
  attempts: number;
  replays: number;
  responseStatus: number | null;
  error: string | null;
  lastAttemptAt: Date | null;
  createdAt: Date;
  /** `createdAt` to the microsecond (ISO 8601): the exact keyset position of the delivery. */
  createdKey: string;
}

const toDelivery = (r: z.infer<typeof deliveryRow>): DeliveryRecord => ({
  eventId: r.event_id,
  type: r.event_type,
  envelope: r.envelope,
  status: r.status,
  attempts: r.attempts,
  replays: r.replays,
  responseStatus: r.response_status,
  error: r.error,
  lastAttemptAt: r.last_attempt_at,
  createdAt: r.created_at,
  createdKey: r.created_key,
});

export async function findDelivery(
  db: Db,
  webhookId: string,
  eventId: string,
): Promise<DeliveryRecord | null> {
  const row = await queryRow(
    db,
    deliveryRow,
    `select ${DELIVERY_COLUMNS} from webhook_delivery where webhook_id = ? and event_id = ?`,
    [webhookId, eventId],
  );
  return row === null ? null : toDelivery(row);
}

/** Newest first; `before` continues after that delivery (keyset). */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  limit: number,
  before?: { createdKey: string; eventId: string },
): Promise<DeliveryRecord[]> {
  const rows = await queryRows(
    db,
    deliveryRow,
    `select ${DELIVERY_COLUMNS} from webhook_delivery
      where webhook_id = ? ${before ? 'and (created_at, event_id) < (?::timestamptz, ?)' : ''}
      order by created_at desc, event_id desc limit ?`,
    before ? [webhookId, before.createdKey, before.eventId, limit] : [webhookId, limit],
  );
  return rows.map(toDelivery);
}

/**
 * Settles a delivery still `retrying` as failed without an attempt (its webhook was disabled
 * meanwhile, or BullMQ gave its job up after repeated worker deaths).
 */
export async function failDelivery(
  db: Db,
  webhookId: string,
  eventId: string,
  error: string,
): Promise<void> {
  await run(
    db,
    `update webhook_delivery set status = 'failed', error = ?
      where webhook_id = ? and event_id = ? and status = 'retrying'`,
    [error, webhookId, eventId],
  );
}

/**
 * Sets deliveries back to `retrying` with a fresh attempt budget, for `webhook:replay`: one event,
 * or every one created since a time. Only settled ones (`delivered`, `failed`): a `retrying` one
 * is still on its way. Returns what to queue, with the new replay count that makes its job id new.
 */
export async function reopenDeliveries(
  db: Db,
  webhookId: string,
  which: { eventId: string } | { since: Date },
): Promise<PendingDelivery[]> {
  const [filter, param] =
    'eventId' in which ? ['event_id = ?', which.eventId] : ['created_at >= ?', which.since];
  return (
    await queryRows(
      db,
      pendingRow,
      `update webhook_delivery set status = 'retrying', attempts = 0, replays = replays + 1
        where webhook_id = ? and status <> 'retrying' and ${filter}
        returning webhook_id, event_id, replays`,
      [webhookId, param],
    )
  ).map(toPending);
}
