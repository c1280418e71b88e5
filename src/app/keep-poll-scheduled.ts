import type { Queue } from 'bullmq';
import { checkPushJob } from '../../jobs/check-push.job.ts';
import { pollMailboxesJob } from '../../jobs/poll-mailboxes.job.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface PollScheduleKeeper {
  /** Resolves once the scheduler was first written (or rejects when that failed). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Keeps the poll scheduler (and the push check's) in Redis. It is written once at start-up, but Redis can lose it (a
 * restart without persistence, a failover to an empty replica, a FLUSHALL): then nothing polls,
 * silently. `upsertJobScheduler` is idempotent, so every worker simply writes it again every
 * `MAILROOM_SCHEDULER_REASSERT_SECONDS`; with it comes back the next tick. The queued syncs were
 * lost too: their mailboxes come due again within one poll interval (stale ones at the next tick).
 */
export function keepPollScheduled(queue: Queue, config: Config, log: Logger): PollScheduleKeeper {
  // The tick, not the poll interval: each tick queues only the mailboxes that came due since.
  const every = config.sync.pollTickSeconds * 1000;
  const assert = async () => {
    await queue.upsertJobScheduler(
      pollMailboxesJob.name,
      { every },
      { name: pollMailboxesJob.name, data: {}, opts: pollMailboxesJob.options },
    );
    // The push check, when push is on: channels missing, due for renewal, or removed by Graph.
    if (config.push.enabled) {
      await queue.upsertJobScheduler(
        checkPushJob.name,
        { every: config.push.checkSeconds * 1000 },
        { name: checkPushJob.name, data: {}, opts: checkPushJob.options },
      );
    } else {
      await queue.removeJobScheduler(checkPushJob.name);
    }
  };
  let warned = false;
  const timer = setInterval(() => {
    assert().then(
      () => {
        warned = false;
      },
      (err: unknown) => {
        // One warning per outage; the queue's own error listener reports the connection.
        if (!warned) {
          log.warn({ err }, 'poll scheduler could not be re-asserted; retrying');
          warned = true;
        }
      },
    );
  }, config.sync.schedulerReassertSeconds * 1000);
  timer.unref();
  return {
    ready: assert(),
    stop: () => {
      clearInterval(timer);
    },
  };
}
