import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { Mailbox } from '../src/db/entities/mailbox.entity.ts';
import {
  keepSyncAlive,
  markError,
  markReauthRequired,
  recordLastError,
} from '../src/db/repositories/mailbox-health.repository.ts';
import { findMailbox } from '../src/db/repositories/mailbox.repository.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import type { JobFailure } from '../src/queue/job-definition.ts';

/**
 * What every per-mailbox sync job (mail, calendar) shares: ids-only data, retry options, and the
 * rule for which mailboxes may sync at all.
 */
export const mailboxJobSchema = z.object({ mailboxId: z.uuid() }).strict();
export type MailboxJobData = z.infer<typeof mailboxJobSchema>;

export const MAILBOX_JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  // Finished jobs are the record of what ran and why it failed (a job that stalled too often
  // included), bounded so Redis (`noeviction`) never fills. The deduplication id, not the job id,
  // keeps one sync per mailbox, so a kept job never blocks the next one.
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
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

/**
 * A mailbox job's failure, as its owner sees it: a wait or a retry still to come is the last error,
 * a revoked grant asks for a reconnect, and anything final puts the mailbox in `error`. A
 * configuration error (keys that cannot open the stored credentials) is the operator's, not the
 * mailbox's: its status and last error stay as they are.
 */
export async function recordMailboxFailure(
  { mailboxId }: MailboxJobData,
  { decision, message, final }: JobFailure,
  ctx: JobContext,
): Promise<void> {
  const em = ctx.orm.em.fork();
  switch (decision.action) {
    case 'config':
      return;
    case 'delay':
      await recordLastError(
        em,
        mailboxId,
        `rate limited; retrying in ${Math.round(decision.delayMs / 1000)} s`,
      );
      return;
    case 'reauth':
      await markReauthRequired(em, mailboxId, message);
      return;
    case 'fail':
    case 'retry':
      await (final ? markError(em, mailboxId, message) : recordLastError(em, mailboxId, message));
      return;
  }
}

/**
 * Runs `work` while a heartbeat keeps the mailbox's `sync_alive_until` ahead of now: every half
 * lock period it is pushed two lock periods on, so a worker that died (no more beats) shows as a
 * stale `syncing` within two lock periods, and a slow but live one never does.
 */
export async function withSyncHeartbeat<T>(
  ctx: JobContext,
  mailboxId: string,
  work: (aliveSeconds: number) => Promise<T>,
): Promise<T> {
  const lockSeconds = ctx.config.sync.jobLockSeconds;
  const aliveSeconds = 2 * lockSeconds;
  const timer = setInterval(
    () => {
      keepSyncAlive(ctx.orm.em.fork(), mailboxId, aliveSeconds).catch((err: unknown) => {
        ctx.log.warn({ err, mailboxId }, 'sync heartbeat not recorded');
      });
    },
    (lockSeconds * 1000) / 2,
  );
  timer.unref();
  try {
    return await work(aliveSeconds);
  } finally {
    clearInterval(timer);
  }
}
