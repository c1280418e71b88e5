import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { UNLIMITED, type Limiter } from './quota-limiter.ts';
import { SharedQuotaLimiter } from './shared-quota-limiter.ts';

/**
 * The fleet-wide budgets, one per Google Cloud project and Microsoft app. The OAuth client id
 * names the project or app (a client id belongs to exactly one), so workers configured with the
 * same credentials share a budget and a second deployment with other credentials has its own.
 */
export interface SharedQuotas {
  /** Gmail units per minute of the project (1,200,000, provider-apis.md §A.9). */
  gmail: Limiter;
  /** Calendar requests per minute of the project (10,000, §B.5). */
  googleCalendar: Limiter;
  /** Graph requests per 10 s of the app across tenants (130,000, §D.4). */
  graph: Limiter;
}

export const NO_SHARED_QUOTAS: SharedQuotas = {
  gmail: UNLIMITED,
  googleCalendar: UNLIMITED,
  graph: UNLIMITED,
};

export function createSharedQuotas(redis: Redis, config: Config, log: Logger): SharedQuotas {
  const { sharedQuota } = config.sync;
  const prefix = `${config.sync.queuePrefix}:quota`;
  const google = `${prefix}:google:${config.google.clientId ?? 'unset'}`;
  const microsoft = `${prefix}:microsoft:${config.microsoft.clientId ?? 'unset'}`;
  const limiter = (name: string, key: string, unitsPerWindow: number, windowMs: number) =>
    unitsPerWindow === 0
      ? UNLIMITED
      : new SharedQuotaLimiter(redis, { name, key, unitsPerWindow, windowMs }, log);
  return {
    gmail: limiter('gmail', `${google}:gmail`, sharedQuota.gmailUnitsPerMinute, 60_000),
    googleCalendar: limiter(
      'google-calendar',
      `${google}:calendar`,
      sharedQuota.googleCalendarRequestsPerMinute,
      60_000,
    ),
    graph: limiter('graph', `${microsoft}:graph`, sharedQuota.graphRequestsPer10s, 10_000),
  };
}
