import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's one Prometheus registry (`GET /metrics` on the API, the worker's metrics port),
 * with Node's default process metrics and Mailroom's own. Metrics are recorded at a few
 * chokepoints only (a sync job's end, provider error classification, a webhook attempt, a
 * tracking hit), through the functions below, so no caller touches prom-client itself.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export type SyncKind = 'mail' | 'calendar';

const syncRuns = new Counter({
  name: 'mailroom_sync_runs_total',
  help: 'Sync job runs by kind and outcome (ok, skipped, handed_back by a closing worker, lock_lost when another run holds the job, or the retry decision of a failed run).',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

const syncDuration = new Histogram({
  name: 'mailroom_sync_duration_seconds',
  help: 'How long one sync job run took, by kind.',
  labelNames: ['kind'] as const,
  // From an empty incremental poll (well under a second) to a long backfill run.
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600, 1800],
  registers: [registry],
});

const messages = new Counter({
  name: 'mailroom_messages_total',
  help: 'Messages a mail sync fetched from the provider, stored, or failed to store.',
  labelNames: ['result'] as const,
  registers: [registry],
});

const providerErrors = new Counter({
  name: 'mailroom_provider_errors_total',
  help: 'Failed provider calls by provider and classified kind (each call, inline retries included).',
  labelNames: ['provider', 'kind'] as const,
  registers: [registry],
});

const quotaUnits = new Counter({
  name: 'mailroom_provider_quota_units_total',
  help: "Provider quota spent, by provider and budget: Gmail API units (the configured regime's costs), Google Calendar and Graph requests. Counted as each call (and each in-place retry) takes them from the mailbox's bucket, enforced or not.",
  labelNames: ['provider', 'budget'] as const,
  registers: [registry],
});

const pushes = new Counter({
  name: 'mailroom_push_received_total',
  help: 'Gmail Pub/Sub pushes and Graph notification items received, by outcome: woken (a sync was queued), ignored (malformed, unknown mailbox, push off) or rejected (bad token or clientState).',
  labelNames: ['provider', 'outcome'] as const,
  registers: [registry],
});

const webhookDeliveries = new Counter({
  name: 'mailroom_webhook_deliveries_total',
  help: "Webhook delivery attempts by the delivery's status after the attempt.",
  labelNames: ['status'] as const,
  registers: [registry],
});

const trackingHits = new Counter({
  name: 'mailroom_tracking_hits_total',
  help: 'Stored hits on tracking pixels and links, by kind and classification.',
  labelNames: ['kind', 'classification'] as const,
  registers: [registry],
});

const pollLag = new Histogram({
  name: 'mailroom_poll_lag_seconds',
  help: 'How late the fleet scheduler queued a due poll (from the mailbox being due to the tick that queued it).',
  // A healthy scheduler stays within a tick (5 s); minutes mean it cannot keep up. Fine below
  // 10 s, where the fleet bench reads its quantiles.
  buckets: [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 8, 10, 20, 30, 60, 120, 300, 900],
  registers: [registry],
});

const sharedQuotaDegraded = new Counter({
  name: 'mailroom_shared_quota_unavailable_total',
  help: 'Provider calls let through on their per-mailbox limit alone because the shared (Redis) quota did not answer.',
  labelNames: ['budget'] as const,
  registers: [registry],
});

/**
 * One sync job run ended: `outcome` is `ok`, `skipped`, `handed_back` (its worker was closing),
 * `lock_lost` (stopped: another run holds the job), or the failed run's retry decision.
 */
export function recordSyncRun(kind: SyncKind, outcome: string, seconds: number): void {
  syncRuns.inc({ kind, outcome });
  syncDuration.observe({ kind }, seconds);
}

export function recordMessages(counts: { fetched: number; stored: number; failed: number }): void {
  for (const result of ['fetched', 'stored', 'failed'] as const) {
    if (counts[result] > 0) {
      messages.inc({ result }, counts[result]);
    }
  }
}

export function recordProviderError(provider: 'google' | 'microsoft', kind: string): void {
  providerErrors.inc({ provider, kind });
}

/** Each quota bucket of a mailbox: Gmail units, Google Calendar requests, Graph requests. */
export type QuotaBudget = 'gmail' | 'calendar' | 'graph';

/** `units` of a mailbox's `budget` were taken (a provider call is about to be sent). */
export function recordQuotaUnits(
  provider: 'google' | 'microsoft',
  budget: QuotaBudget,
  units: number,
): void {
  quotaUnits.inc({ provider, budget }, units);
}

export function recordWebhookAttempt(status: string): void {
  webhookDeliveries.inc({ status });
}

export function recordTrackingHit(kind: string, classification: string): void {
  trackingHits.inc({ kind, classification });
}

/** The fleet scheduler queued a poll `seconds` after it was due. */
export function recordPollLag(seconds: number): void {
  pollLag.observe(Math.max(0, seconds));
}

/** A call went ahead without the shared budget `budget` (Redis did not answer). */
export function recordSharedQuotaUnavailable(budget: string): void {
  sharedQuotaDegraded.inc({ budget });
}

/** The text exposition format, and its content type, for a scrape. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Pushes answered (`count` items of one Graph POST at once). */
export function recordPush(
  provider: 'google' | 'microsoft',
  outcome: 'woken' | 'ignored' | 'rejected',
  count = 1,
): void {
  if (count > 0) {
    pushes.inc({ provider, outcome }, count);
  }
}
