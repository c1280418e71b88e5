import { z } from 'zod';
import { jsonb, queryRows, run, type Db } from '../sql.ts';
import type { DeliveryStatus } from './webhook-delivery.repository.ts';

/**
 * What the delivery worker reads before an attempt and writes after it, for many deliveries per
 * statement: at a thousand deliveries a second, one statement per delivery (let alone a
 * transaction of three) is what the machine spends its time on, so concurrent attempts share them
 * (webhooks/delivery-batcher.ts gathers them).
 */

export interface DeliveryKey {
  webhookId: string;
  eventId: string;
}

/** A delivery with what an attempt needs of its webhook. */
export interface DeliveryWork {
  status: DeliveryStatus;
  attempts: number;
  envelope: unknown;
  url: string;
  sealedSecret: string;
  enabled: boolean;
  disabledReason: string | null;
}

const workRow = z.object({
  webhook_id: z.string(),
  event_id: z.string(),
  status: z.enum(['retrying', 'delivered', 'failed']),
  attempts: z.number(),
  envelope: z.unknown(),
  url: z.string(),
  secret: z.string(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
});

/** One entry per key, in the keys' order: null where the delivery or its webhook is gone. */
export async function loadDeliveryWork(
  db: Db,
  keys: readonly DeliveryKey[],
): Promise<(DeliveryWork | null)[]> {
  const rows = await queryRows(
    db,
    workRow,
    `select d.webhook_id, d.event_id, d.status, d.attempts, d.envelope,
            w.url, w.secret, w.enabled, w.disabled_reason
       from json_to_recordset(?::json) as k(webhook_id uuid, event_id text)
       join webhook_delivery d on d.webhook_id = k.webhook_id and d.event_id = k.event_id
       join webhook w on w.id = d.webhook_id`,
    [jsonb(keys.map((k) => ({ webhook_id: k.webhookId, event_id: k.eventId })))],
  );
  const byKey = new Map(rows.map((r) => [`${r.webhook_id} ${r.event_id}`, r]));
  return keys.map((k) => {
    const r = byKey.get(`${k.webhookId} ${k.eventId}`);
    return r === undefined
      ? null
      : {
          status: r.status,
          attempts: r.attempts,
          envelope: r.envelope,
          url: r.url,
          sealedSecret: r.secret,
          enabled: r.enabled,
          disabledReason: r.disabled_reason,
        };
  });
}

export interface AttemptLog {
  at: Date;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  /** The first 1 KB of the response body. */
  responseBody: string | null;
}

/** One attempt's outcome: the log entry, the delivery's new status, and what it does to the webhook. */
export interface AttemptRecord extends DeliveryKey {
  attempt: AttemptLog;
  status: DeliveryStatus;
  /** Set when the endpoint answered 410 Gone: the webhook is disabled with this reason. */
  disableReason: string | null;
}

/**
 * Logs the attempts, moves each delivery to its new status (counting the attempt), and sets each
 * webhook's last error (the latest of the batch) or disables it: one statement, so the log, the
 * deliveries and the webhooks agree without a transaction around it.
 */
export async function recordAttempts(db: Db, records: readonly AttemptRecord[]): Promise<void> {
  if (records.length === 0) {
    return;
  }
  const rows = records.map((r) => ({
    webhook_id: r.webhookId,
    event_id: r.eventId,
    at: r.attempt.at.toISOString(),
    response_status: r.attempt.responseStatus,
    duration_ms: r.attempt.durationMs,
    error: r.attempt.error,
    response_body: r.attempt.responseBody,
    status: r.status,
    disable_reason: r.disableReason,
  }));
  await run(
    db,
    `with r as (
       select * from json_to_recordset(?::json) as r(
         webhook_id uuid, event_id text, at timestamptz, response_status int, duration_ms int,
         error text, response_body text, status text, disable_reason text)
     ), logged as (
       insert into webhook_attempt
         (webhook_id, event_id, at, response_status, duration_ms, error, response_body)
       select webhook_id, event_id, at, response_status, duration_ms, error, response_body from r
     ), settled as (
       update webhook_delivery d
          set status = r.status, attempts = d.attempts + 1, response_status = r.response_status,
              error = r.error, last_attempt_at = r.at
         from r
        where d.webhook_id = r.webhook_id and d.event_id = r.event_id
     )
     -- One row per webhook (an update must not touch a row twice): a 410 first, else the latest error.
     update webhook w
        set last_error = coalesce(l.disable_reason, l.error), last_error_at = now(),
            enabled = w.enabled and l.disable_reason is null,
            disabled_reason = coalesce(l.disable_reason, w.disabled_reason)
       from (select distinct on (webhook_id) webhook_id, error, disable_reason
               from r where error is not null
              order by webhook_id, disable_reason is null, at desc) l
      where w.id = l.webhook_id`,
    [jsonb(rows)],
  );
}

export async function listAttempts(
  db: Db,
  webhookId: string,
  eventId: string,
): Promise<AttemptLog[]> {
  const rows = await queryRows(
    db,
    z.object({
      at: z.coerce.date(),
      response_status: z.number().nullable(),
      duration_ms: z.number(),
      error: z.string().nullable(),
      response_body: z.string().nullable(),
    }),
    'select * from webhook_attempt where webhook_id = ? and event_id = ? order by at, id',
    [webhookId, eventId],
  );
  return rows.map((r) => ({
    at: r.at,
    responseStatus: r.response_status,
    durationMs: r.duration_ms,
    error: r.error,
    responseBody: r.response_body,
  }));
}
