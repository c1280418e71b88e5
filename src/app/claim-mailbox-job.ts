import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Queue } from 'bullmq';
import type { Logger } from '../logger.ts';
import { jobOptionsFor, type JobDefinition } from '../queue/job-definition.ts';

/** How often a claim looks again at a job it waits for (a worker is running it). */
const WAIT_POLL_MS = 500;

/** Placeholders are told apart from queued jobs by their id. */
const PLACEHOLDER_PREFIX = 'cli-';

export interface MailboxJobClaim {
  /** Gives the deduplication id back to the shared queue; the next poll queues a sync again. */
  release(): Promise<void>;
}

/**
 * Takes one mailbox job's deduplication id in the shared sync queue for a `sync --mailbox` run,
 * so that no worker runs that mailbox's job while the CLI runs it in its private queue
 * (run-sync-now.ts), and so that the CLI never touches another mailbox's job.
 *
 * BullMQ cannot hand a worker one chosen job, so the CLI holds the id with a placeholder: the same
 * job (name, data, options) added *delayed* by `holdMs`, and pushed back again every third of that
 * while the run lasts. Workers ignore a delayed job; polls and wake-ups are deduplicated onto it.
 * If the CLI dies, the placeholder comes due within `holdMs` and a worker runs it as an ordinary
 * sync, resuming from the checkpoint: a killed CLI leaves nothing stalled and loses nothing.
 * - a job queued for the mailbox (waiting, delayed) is removed and replaced by the placeholder;
 * - a job a worker is running is waited for (the placeholder is kept as its follow-up run by
 *   `keepLastIfActive`, so it holds the id the moment that job finishes);
 * - another `sync --mailbox` of the same mailbox is waited for; this run then syncs what is left.
 */
export async function claimMailboxJob<Data>(
  shared: Queue,
  def: JobDefinition<Data>,
  data: Data,
  holdMs: number,
  log: Logger,
): Promise<MailboxJobClaim> {
  const placeholderId = `${PLACEHOLDER_PREFIX}${randomUUID()}`;
  const opts = { ...jobOptionsFor(def, data), jobId: placeholderId, delay: holdMs };
  for (;;) {
    const added = await shared.add(def.name, data, opts);
    if (added.id === placeholderId) {
      return hold(shared, added, holdMs, log);
    }
    const holder = added.id ? await shared.getJob(added.id) : undefined;
    if (!holder) {
      continue;
    }
    // Running on a worker, or held by another live `sync --mailbox`: wait for that run to end.
    if ((await holder.isActive()) || heldByLiveRun(holder, holdMs)) {
      await sleep(WAIT_POLL_MS);
      continue;
    }
    // Queued, not running: take its place. A worker that takes it in between locks it, and the
    // removal fails; the next round then waits for that run.
    await holder.remove().catch(() => undefined);
  }
}

/**
 * A placeholder whose run added or renewed it lately. Its delay cannot tell: a delayed job past
 * its time stays in the delayed set until a worker fetching from the queue promotes it, which may
 * be never when no worker process runs. So each renewal writes its deadline as the job's progress;
 * until the first one lands, the job's creation time stands for it (a run that read the
 * placeholder between its `add` and its first renewal must not take it: both would then sync).
 */
function heldByLiveRun(job: Job, holdMs: number): boolean {
  if (!job.id?.startsWith(PLACEHOLDER_PREFIX)) {
    return false;
  }
  const progress = job.progress as { heldUntil?: unknown } | number | string | boolean;
  const renewedUntil =
    typeof progress === 'object' && typeof progress.heldUntil === 'number' ? progress.heldUntil : 0;
  return Math.max(job.timestamp + holdMs, renewedUntil) > Date.now();
}

async function hold(
  shared: Queue,
  placeholder: Job,
  holdMs: number,
  log: Logger,
): Promise<MailboxJobClaim> {
  const renew = async () => {
    try {
      await placeholder.updateProgress({ heldUntil: Date.now() + holdMs });
      await placeholder.changeDelay(holdMs);
    } catch (err) {
      // Gone (Redis lost it) or due (this process was frozen past `holdMs`): a worker may run the
      // mailbox's sync beside this one; checkpoints and idempotent writes keep that safe.
      log.warn({ err, jobId: placeholder.id }, 'sync claim could not be renewed');
    }
  };
  await placeholder.updateProgress({ heldUntil: Date.now() + holdMs });
  const timer = setInterval(() => void renew(), holdMs / 3);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      const current = await shared.getJob(placeholder.id ?? '');
      if (current && !(await current.isActive())) {
        await current.remove().catch(() => undefined);
      }
    },
  };
}
