import type { EntityManager } from '@mikro-orm/postgresql';
import { MailboxSchema } from '../db/entities/mailbox.entity.ts';
import { NotFoundError } from '../errors.ts';

/**
 * What an operator or the rep sees about one mailbox: status, sync stages and cursors, backfill
 * progress, the last error, and counters of what was stored and what the rules kept out and why
 * (computed from the stored rows, so they stay right under retries and re-ingest).
 */
export async function mailboxStatus(em: EntityManager, mailboxId: string): Promise<unknown> {
  const mailbox = await em.findOne(MailboxSchema, { id: mailboxId });
  if (!mailbox) {
    throw new NotFoundError(`mailbox ${mailboxId} not found`);
  }
  const [totals] = await em.execute<{ emails: string; deleted: string; logged: string }[]>(
    `select count(*) as emails, count(*) filter (where deleted) as deleted,
            count(*) filter (where crm_skip_reason is null) as logged
       from email where mailbox_id = ?`,
    [mailboxId],
  );
  const messageSkips = await em.execute<{ reason: string; n: string }[]>(
    `select crm_skip_reason as reason, count(*) as n from email
      where mailbox_id = ? and crm_skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const participantSkips = await em.execute<{ reason: string; n: string }[]>(
    `select ep.skip_reason as reason, count(*) as n
       from email_participant ep join email e on e.id = ep.email_id
      where e.mailbox_id = ? and ep.skip_reason is not null group by 1 order by 1`,
    [mailboxId],
  );
  const toCounts = (rows: { reason: string; n: string }[]) =>
    Object.fromEntries(rows.map((r) => [r.reason, Number(r.n)]));
  const state = mailbox.syncState;
  return {
    id: mailbox.id,
    workspaceId: mailbox.workspaceId,
    email: mailbox.email,
    provider: mailbox.provider,
    status: mailbox.status,
    stages: state['stages'] ?? {},
    cursors: state['cursors'] ?? {},
    backfill: state['backfill'] ?? { done: 0, total: null },
    lastError: mailbox.lastError,
    lastSyncedAt: mailbox.lastSyncedAt?.toISOString() ?? null,
    counts: {
      emails: Number(totals?.emails ?? 0),
      deleted: Number(totals?.deleted ?? 0),
      loggedToCrm: Number(totals?.logged ?? 0),
      skippedMessages: toCounts(messageSkips),
      skippedParticipants: toCounts(participantSkips),
    },
  };
}
