import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { queryRows, run } from '../sql.ts';

/**
 * The fleet scheduler's claim (jobs/poll-mailboxes.job.ts): which mailboxes a tick queues a sync
 * for, and when each is due next. A mailbox is claimed when it may sync and either
 * - it is due: `next_poll_at` is past, or null (just connected, or stored before the scheduler);
 * - or it is stale: `syncing` with its heartbeat expired (the worker running its sync died).
 * One statement claims and reschedules, under `for update skip locked`, so two ticks running at
 * once (two workers, a slow tick overlapping the next) never claim the same mailbox.
 */
export interface PollIntervals {
  /** Seconds between polls of a mailbox (MAILROOM_POLL_INTERVAL_SECONDS). */
  normalSeconds: number;
  /** Seconds between polls of a push-healthy one (MAILROOM_PUSH_POLL_INTERVAL_SECONDS). */
  pushHealthySeconds: number;
  /**
   * How long a stale mailbox's recovery sync has to start before it counts as stale again: its
   * heartbeat is set that far ahead, so the next ticks do not re-queue it while it waits.
   */
  recoverySeconds: number;
}

export interface ClaimedMailbox {
  id: string;
  /** Seconds from when it was due to this claim; null for a mailbox never scheduled. */
  lagSeconds: number | null;
}

const claimedRow = z.object({ id: z.string(), lag_seconds: z.coerce.number().nullable() });

/**
 * Claims up to `limit` due mailboxes (and up to `limit` stale ones), oldest due first, and sets
 * each one's next poll: `interval × U(0.8, 1.2)`, so polls that came due together drift apart
 * instead of coming back as a herd. A mailbox scheduled for the first time gets
 * `interval × h(id)` with h uniform in [0, 1) from its id: a fleet stored at once (a migration, a
 * bulk import) is spread evenly over one interval from the start, the same way on every run.
 * Push-healthy mailboxes (`push_healthy_until` ahead) get the long interval.
 */
export async function claimDueMailboxes(
  em: EntityManager,
  limit: number,
  intervals: PollIntervals,
): Promise<ClaimedMailbox[]> {
  const rows = await queryRows(
    em,
    claimedRow,
    `with due as (
       select id, next_poll_at as due_at, false as stale
         from mailbox
        where status in ('active', 'syncing', 'error')
          and coalesce(next_poll_at, '-infinity'::timestamptz) <= now()
        order by coalesce(next_poll_at, '-infinity'::timestamptz)
        limit ?
        for update skip locked
     ), stale as (
       select id, sync_alive_until as due_at, true as stale
         from mailbox
        where status = 'syncing'
          and coalesce(sync_alive_until, '-infinity'::timestamptz) < now()
        order by coalesce(sync_alive_until, '-infinity'::timestamptz)
        limit ?
        for update skip locked
     ), claimed as (
       select id, min(due_at) as due_at, bool_or(stale) as stale
         from (select * from due union all select * from stale) both_kinds
        group by id
     )
     update mailbox m
        set next_poll_at = now() + make_interval(secs =>
              (case when m.push_healthy_until > now() then ? else ? end)
              * (case when m.next_poll_at is null
                      then ('x' || substr(md5(m.id::text), 1, 8))::bit(32)::bigint / 4294967296.0
                      else 0.8 + 0.4 * random() end)),
            sync_alive_until = case when c.stale then now() + make_interval(secs => ?)
                                    else m.sync_alive_until end
       from claimed c
      where m.id = c.id
  returning m.id, extract(epoch from now() - c.due_at) as lag_seconds`,
    [
      limit,
      limit,
      intervals.pushHealthySeconds,
      intervals.normalSeconds,
      intervals.recoverySeconds,
    ],
  );
  return rows.map((r) => ({ id: r.id, lagSeconds: r.lag_seconds }));
}

/**
 * Gives claimed mailboxes back (due now), for a tick that could not queue their syncs (Redis
 * failed between the claim and the queueing): the next tick claims them again instead of their
 * poll being lost for a whole interval.
 */
export async function releaseClaimedMailboxes(em: EntityManager, ids: string[]): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await run(em, `update mailbox set next_poll_at = now() where id in (?)`, [ids]);
}
