import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Mailbox } from '../db/entities/mailbox.entity.ts';
import { findMailbox } from '../db/repositories/mailbox.repository.ts';

/**
 * What every per-mailbox sync job (mail, calendar) shares: ids-only data, retry options, and the
 * rule for which mailboxes may sync at all.
 */
export const mailboxJobSchema = z.object({ mailboxId: z.uuid() }).strict();
export type MailboxJobData = z.infer<typeof mailboxJobSchema>;

export const MAILBOX_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  // The job id must be free again once this run ends, so the next sync can be queued.
  removeOnComplete: true,
  removeOnFail: true,
};

/** The mailbox, or why it must not sync now (deleted, or waiting for its owner to reconnect). */
export async function loadSyncableMailbox(
  em: EntityManager,
  mailboxId: string,
): Promise<Mailbox | { skipped: string }> {
  const mailbox = await findMailbox(em, mailboxId);
  if (!mailbox) {
    return { skipped: 'mailbox deleted' };
  }
  if (mailbox.status === 'reauth_required' || mailbox.status === 'disconnected') {
    return { skipped: `mailbox is ${mailbox.status}` };
  }
  return mailbox;
}
