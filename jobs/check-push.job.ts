import type { Job } from 'bullmq';
import { z } from 'zod';
import { mailboxesNeedingPush } from '../src/db/repositories/push-channel.repository.ts';
import { pushResources } from '../src/providers/registry.ts';
import type { JobContext } from '../src/queue/job-context.ts';
import { jobOptionsFor, type JobDefinition } from '../src/queue/job-definition.ts';
import { mailboxPushJob } from './mailbox-push.job.ts';

/**
 * The push check's tick (every MAILROOM_PUSH_CHECK_SECONDS): queues the push job of every mailbox
 * that can sync but lacks a live channel (never opened, failed to open, removed by Graph) or has
 * one due for renewal. Bounded per tick; the rest come next tick, most overdue first.
 */
export const CHECK_PUSH = 'check-push';

/** Mailboxes queued per provider and tick. */
const BATCH = 1_000;

async function handle(
  _job: Job<object>,
  _data: object,
  ctx: JobContext,
): Promise<{ queued: number }> {
  const em = ctx.orm.em.fork();
  let queued = 0;
  for (const provider of ['google', 'microsoft'] as const) {
    const resources = pushResources(ctx.config, provider);
    if (resources === null) {
      continue;
    }
    const ids = await mailboxesNeedingPush(em, provider, resources.length, BATCH);
    await ctx.syncQueue.addBulk(
      ids.map((mailboxId) => ({
        name: mailboxPushJob.name,
        data: { mailboxId },
        opts: jobOptionsFor(mailboxPushJob, { mailboxId }),
      })),
    );
    queued += ids.length;
  }
  return { queued };
}

export const checkPushJob: JobDefinition<object, { queued: number }> = {
  name: CHECK_PUSH,
  schema: z.object({}).strict(),
  deduplicationId: () => CHECK_PUSH,
  options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
  handle,
};
