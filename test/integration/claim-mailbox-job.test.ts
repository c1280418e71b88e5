import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { claimMailboxJob } from '../../src/app/claim-mailbox-job.ts';
import { createLogger } from '../../src/logger.ts';
import { jobOptionsFor } from '../../src/queue/job-definition.ts';
import { testRedisUrl } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * A `sync --mailbox` run holds its mailbox's place in the shared queue with a placeholder job
 * (claim-mailbox-job.ts). A second run must wait for a live placeholder even before the first run
 * has renewed it once: two runs that both saw it as free synced the mailbox side by side on a
 * loaded machine (gmail-sync.test.ts, "two syncs … run one after the other").
 */
const opened: { queue: Queue; redis: Redis }[] = [];
afterEach(async () => {
  for (const { queue, redis } of opened.splice(0)) {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  }
});

function sharedQueue(): Queue {
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const queue = new Queue('sync', { connection: redis, prefix: `test-${randomUUID()}` });
  opened.push({ queue, redis });
  return queue;
}

it('waits for a placeholder another run has just added, and takes it once that run is gone', async () => {
  const queue = sharedQueue();
  const data = { mailboxId: randomUUID() };
  // Long enough that the checks below happen well inside it, however loaded the machine.
  const holdMs = 10_000;
  // What a first run's claim writes before its first renewal: the placeholder, no progress yet.
  const first = await queue.add(mailboxSyncJob.name, data, {
    ...jobOptionsFor(mailboxSyncJob, data),
    jobId: `cli-${randomUUID()}`,
    delay: holdMs,
  });
  let claimed = false;
  const second = claimMailboxJob(queue, mailboxSyncJob, data, holdMs, createLogger('silent')).then(
    (claim) => {
      claimed = true;
      return claim;
    },
  );
  // The second run looks at the placeholder at least twice (it polls every 500 ms) and leaves it.
  await sleep(1_200);
  expect(claimed).toBe(false);
  expect(await queue.getJob(first.id ?? '')).toBeDefined();

  // The first run never renews it (it died): once its hold is over, the second run takes over.
  const claim = await second;
  await waitFor(async () => !(await queue.getJob(first.id ?? '')), 'the stale placeholder removed');
  await claim.release();
});
