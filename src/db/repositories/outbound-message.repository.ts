import { z } from 'zod';
import { timestamptz } from '../columns.ts';
import { jsonb, queryRow, run, type Db } from '../sql.ts';

/**
 * The send records of `POST /api/v1/messages` (migration …120000_outbound_message explains the
 * states). Every state change is conditional on the state the caller saw, so two requests with
 * the same Idempotency-Key can never both hold an attempt.
 */
export type OutboundStatus = 'sending' | 'sent' | 'unknown' | 'failed';

export interface OutboundRecord<M> {
  id: string;
  workspaceId: string;
  mailboxId: string;
  requestHash: string;
  status: OutboundStatus;
  attemptStartedAt: Date;
  attempts: number;
  message: M;
  progress: Record<string, string>;
  internetMessageId: string | null;
  providerMessageId: string | null;
  emailId: string | null;
  threadKey: string | null;
  error: { code: string; message: string } | null;
}

const recordRow = z.object({
  id: z.string(),
  workspace_id: z.string(),
  mailbox_id: z.string(),
  request_hash: z.string(),
  status: z.enum(['sending', 'sent', 'unknown', 'failed']),
  attempt_started_at: timestamptz,
  attempts: z.number(),
  message: z.unknown(),
  progress: z.record(z.string(), z.string()),
  internet_message_id: z.string().nullable(),
  provider_message_id: z.string().nullable(),
  email_id: z.string().nullable(),
  thread_key: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const COLUMNS = `id, workspace_id, mailbox_id, request_hash, status, attempt_started_at, attempts, message,
  progress, internet_message_id, provider_message_id, email_id, thread_key, error`;

function toRecord<M>(r: z.infer<typeof recordRow>, message: z.ZodType<M>): OutboundRecord<M> {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    mailboxId: r.mailbox_id,
    requestHash: r.request_hash,
    status: r.status,
    attemptStartedAt: r.attempt_started_at,
    attempts: r.attempts,
    message: message.parse(r.message),
    progress: r.progress,
    internetMessageId: r.internet_message_id,
    providerMessageId: r.provider_message_id,
    emailId: r.email_id,
    threadKey: r.thread_key,
    error: r.error,
  };
}

/**
 * Inserts a new send record in state `sending`; false when the workspace already has one with
 * this idempotency key (a key-less send always inserts).
 */
export async function insertOutbound(
  db: Db,
  row: {
    id: string;
    workspaceId: string;
    mailboxId: string;
    idempotencyKey: string | null;
    requestHash: string;
    message: unknown;
  },
): Promise<boolean> {
  const inserted = await queryRow(
    db,
    z.object({ id: z.string() }),
    `insert into outbound_message (id, workspace_id, mailbox_id, idempotency_key, request_hash,
       status, message)
     values (?, ?, ?, ?, ?, 'sending', ?::jsonb)
     on conflict (workspace_id, idempotency_key) do nothing
     returning id`,
    [
      row.id,
      row.workspaceId,
      row.mailboxId,
      row.idempotencyKey,
      row.requestHash,
      jsonb(row.message),
    ],
  );
  return inserted !== null;
}

export async function findOutboundByKey<M>(
  db: Db,
  workspaceId: string,
  idempotencyKey: string,
  message: z.ZodType<M>,
): Promise<OutboundRecord<M> | null> {
  const r = await queryRow(
    db,
    recordRow,
    `select ${COLUMNS} from outbound_message where workspace_id = ? and idempotency_key = ?`,
    [workspaceId, idempotencyKey],
  );
  return r ? toRecord(r, message) : null;
}

/**
 * Takes the record for a new attempt if it is still as the caller saw it (same status, same
 * attempt count): true for exactly one of several concurrent callers.
 */
export async function takeOutbound(
  db: Db,
  id: string,
  seen: { status: OutboundStatus; attempts: number },
): Promise<boolean> {
  const taken = await queryRow(
    db,
    z.object({ id: z.string() }),
    `update outbound_message
        set status = 'sending', attempt_started_at = now(), attempts = attempts + 1,
            error = null, updated_at = now()
      where id = ? and status = ? and attempts = ?
      returning id`,
    [id, seen.status, seen.attempts],
  );
  return taken !== null;
}

export async function saveOutboundProgress(
  db: Db,
  id: string,
  progress: Record<string, string>,
): Promise<void> {
  await run(
    db,
    `update outbound_message set progress = progress || ?::jsonb, updated_at = now() where id = ?`,
    [jsonb(progress), id],
  );
}

/** Ends an attempt: `sent` with what the provider made of it, or `unknown` / `failed`. */
export async function finishOutbound(
  db: Db,
  id: string,
  outcome:
    | {
        status: 'sent';
        internetMessageId: string;
        providerMessageId: string | null;
        emailId: string;
        threadKey: string;
      }
    | { status: 'unknown' | 'failed'; error: { code: string; message: string } },
): Promise<void> {
  if (outcome.status === 'sent') {
    await run(
      db,
      `update outbound_message
          set status = 'sent', internet_message_id = ?, provider_message_id = ?, email_id = ?,
              thread_key = ?, error = null, updated_at = now()
        where id = ?`,
      [
        outcome.internetMessageId,
        outcome.providerMessageId,
        outcome.emailId,
        outcome.threadKey,
        id,
      ],
    );
    return;
  }
  await run(
    db,
    `update outbound_message set status = ?, error = ?::jsonb, updated_at = now() where id = ?`,
    [outcome.status, jsonb(outcome.error), id],
  );
}
