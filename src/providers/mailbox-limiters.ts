import type { Config } from '../config.ts';
import { recordQuotaUnits } from '../observability/metrics.ts';
import { GMAIL_COSTS } from './google/gmail/gmail-costs.ts';
import { MailboxCache } from './mailbox-cache.ts';
import { QuotaLimiter, UNLIMITED, unlimited, type Limiter } from './quota-limiter.ts';
import { NO_SHARED_QUOTAS, type SharedQuotas } from './shared-quotas.ts';

/**
 * One quota bucket per mailbox and provider budget, kept across that mailbox's jobs in this
 * process. A bucket built anew for every job starts full: a job that yielded to a rate limit would
 * come back with a whole burst and draw the next one. The provider meters the user, not our job,
 * so the bucket lives as long as the process serves the mailbox (bounded, see MailboxCache).
 * Every budget, enforced or not (`MAILROOM_GMAIL_QUOTA=off`), counts what it grants in
 * `mailroom_provider_quota_units_total`: the quota used is worth seeing most when nothing limits it.
 *
 * Each call also takes its share of the project's or app's budget, shared by every worker
 * (shared-quotas.ts): the mailbox's own bucket first, so a mailbox waiting on its own quota
 * does not hold fleet budget it cannot spend yet.
 */
export interface MailboxLimiters {
  /** Gmail API units per user (provider-apis.md §A.9). */
  gmail(mailboxId: string): Limiter;
  /** Google Calendar requests per user (§B.5). */
  googleCalendar(mailboxId: string): Limiter;
  /** Graph requests per mailbox and window, shared by mail and calendar (§D.4). */
  graph(mailboxId: string): Limiter;
}

/** Google Calendar: 600 requests per minute per user (provider-apis.md §B.5); keep 5 % spare. */
const CALENDAR_REQUESTS_PER_MINUTE = 570;

/** `mailbox`, then `shared`: both must allow the call. */
function both(mailbox: Limiter, shared: Limiter): Limiter {
  if (shared === UNLIMITED) {
    return mailbox;
  }
  return {
    acquire: async (units) => {
      await mailbox.acquire(units);
      await shared.acquire(units);
    },
  };
}

export function createMailboxLimiters(
  sync: Config['sync'],
  maxMailboxes: number,
  shared: SharedQuotas = NO_SHARED_QUOTAS,
): MailboxLimiters {
  const own = createOwnLimiters(sync, maxMailboxes);
  return {
    gmail: (id) => both(own.gmail(id), shared.gmail),
    googleCalendar: (id) => both(own.googleCalendar(id), shared.googleCalendar),
    graph: (id) => both(own.graph(id), shared.graph),
  };
}

function createOwnLimiters(sync: Config['sync'], maxMailboxes: number): MailboxLimiters {
  const gmail = new MailboxCache<Limiter>(maxMailboxes);
  const calendar = new MailboxCache<Limiter>(maxMailboxes);
  const graph = new MailboxCache<Limiter>(maxMailboxes);
  const quota = sync.gmailQuota;
  const spentGmail = (units: number) => {
    recordQuotaUnits('google', 'gmail', units);
  };
  const spentCalendar = (units: number) => {
    recordQuotaUnits('google', 'calendar', units);
  };
  const spentGraph = (units: number) => {
    recordQuotaUnits('microsoft', 'graph', units);
  };
  return {
    gmail: (id) =>
      quota === 'off'
        ? unlimited(spentGmail)
        : gmail.getOrCreate(
            id,
            () =>
              new QuotaLimiter({
                unitsPerWindow: sync.gmailQuotaUnitsPerMinute ?? GMAIL_COSTS[quota].unitsPerMinute,
                windowMs: sync.gmailQuotaWindowSeconds * 1000,
                onTaken: spentGmail,
              }),
          ),
    googleCalendar: (id) =>
      quota === 'off'
        ? unlimited(spentCalendar)
        : calendar.getOrCreate(
            id,
            () =>
              new QuotaLimiter({
                unitsPerWindow: CALENDAR_REQUESTS_PER_MINUTE,
                windowMs: 60_000,
                onTaken: spentCalendar,
              }),
          ),
    graph: (id) =>
      sync.graphRequestsPerWindow === 0
        ? unlimited(spentGraph)
        : graph.getOrCreate(
            id,
            () =>
              new QuotaLimiter({
                unitsPerWindow: sync.graphRequestsPerWindow,
                windowMs: sync.graphWindowSeconds * 1000,
                onTaken: spentGraph,
              }),
          ),
  };
}
