import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { jsonb, queryRow, queryRows, run, type Db } from '../sql.ts';

/** Webhook endpoints (migration 20261202060000). The secret is stored sealed, never in clear. */
const webhookRow = z.object({
  id: z.string(),
  workspace_id: z.string(),
  url: z.string(),
  event_types: z.array(z.string()).nullable(),
  secret: z.string(),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  last_error: z.string().nullable(),
  last_error_at: z.coerce.date().nullable(),
  created_at: z.coerce.date(),
});

export interface WebhookRecord {
  id: string;
  workspaceId: string;
  url: string;
  /** null: every event type. */
  eventTypes: string[] | null;
  sealedSecret: string;
  enabled: boolean;
  disabledReason: string | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  createdAt: Date;
}

const toRecord = (r: z.infer<typeof webhookRow>): WebhookRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  url: r.url,
  eventTypes: r.event_types,
  sealedSecret: r.secret,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  lastError: r.last_error,
  lastErrorAt: r.last_error_at,
  createdAt: r.created_at,
});

export async function insertWebhook(
  db: Db,
  input: { workspaceId: string; url: string; eventTypes: string[] | null; sealedSecret: string },
): Promise<string> {
  const id = randomUUID();
  await run(
    db,
    // The types go as one JSON array (the driver would expand a JS array into a list); none or an
    // empty list is stored as null, "every type".
    `insert into webhook (id, workspace_id, url, event_types, secret)
     values (?, ?, ?, nullif(array(select json_array_elements_text(?::json)), '{}'), ?)`,
    [id, input.workspaceId, input.url, jsonb(input.eventTypes ?? []), input.sealedSecret],
  );
  return id;
}

export async function findWebhook(db: Db, id: string): Promise<WebhookRecord | null> {
  const row = await queryRow(db, webhookRow, 'select * from webhook where id = ?', [id]);
  return row === null ? null : toRecord(row);
}

export async function listWebhooks(db: Db, workspaceId: string): Promise<WebhookRecord[]> {
  const rows = await queryRows(
    db,
    webhookRow,
    'select * from webhook where workspace_id = ? order by created_at, id',
    [workspaceId],
  );
  return rows.map(toRecord);
}

/** Deletes the webhook with its deliveries and attempt log; false when there was none. */
export async function deleteWebhook(db: Db, id: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    'delete from webhook where id = ? returning id',
    [id],
  );
  return rows.length > 0;
}

/** Every webhook secret, locked until the caller's transaction ends (`keys:rotate`). */
export async function lockAllWebhookSecrets(
  tx: Db,
): Promise<{ webhookId: string; sealed: string }[]> {
  const rows = await queryRows(
    tx,
    z.object({ id: z.string(), secret: z.string() }),
    'select id, secret from webhook order by id for update',
  );
  return rows.map((r) => ({ webhookId: r.id, sealed: r.secret }));
}

export async function storeSealedWebhookSecret(
  tx: Db,
  webhookId: string,
  sealed: string,
): Promise<void> {
  await run(tx, 'update webhook set secret = ? where id = ?', [sealed, webhookId]);
}
