import { afterEach, describe, expect, it } from 'vitest';
import {
  recordPush,
  recordMessages,
  recordProviderError,
  recordQuotaUnits,
  recordSyncRun,
  recordTrackingHit,
  recordWebhookAttempt,
  scrape,
} from '../../src/observability/metrics.ts';
import { measureQueues, type MeasuredQueue } from '../../src/observability/queue-metrics.ts';
import { hasSample, sampleSum } from '../helpers/prometheus-text.ts';

const text = async () => (await scrape()).body;

let stopMeasuring: () => void = () => undefined;
afterEach(() => {
  stopMeasuring();
});

describe('metrics registry', () => {
  it('exposes default process metrics and every Mailroom metric in the text format', async () => {
    const { contentType, body } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    for (const name of [
      'mailroom_sync_runs_total counter',
      'mailroom_sync_duration_seconds histogram',
      'mailroom_messages_total counter',
      'mailroom_provider_errors_total counter',
      'mailroom_queue_jobs gauge',
      'mailroom_queue_oldest_waiting_seconds gauge',
      'mailroom_webhook_deliveries_total counter',
      'mailroom_tracking_hits_total counter',
      'mailroom_provider_quota_units_total counter',
      'mailroom_push_received_total counter',
      'mailroom_poll_lag_seconds histogram',
      'mailroom_shared_quota_unavailable_total counter',
    ]) {
      expect(body).toContain(`# TYPE ${name}`);
    }
  });

  it('counts what the chokepoints record, by label', async () => {
    const before = await text();
    recordSyncRun('mail', 'ok', 0.2);
    recordSyncRun('mail', 'retry', 3);
    recordSyncRun('calendar', 'ok', 0.01);
    recordMessages({ fetched: 5, stored: 4, failed: 1 });
    recordProviderError('google', 'RATE_LIMITED');
    recordProviderError('google', 'RATE_LIMITED');
    recordProviderError('microsoft', 'AUTH_REVOKED');
    recordWebhookAttempt('delivered');
    recordWebhookAttempt('retrying');
    recordTrackingHit('open', 'human');
    recordTrackingHit('click', 'bot');
    recordQuotaUnits('google', 'gmail', 5);
    recordQuotaUnits('google', 'gmail', 20);
    recordQuotaUnits('microsoft', 'graph', 1);
    recordPush('google', 'woken');
    recordPush('microsoft', 'rejected');
    recordPush('microsoft', 'rejected');
    const after = await text();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      sampleSum(after, name, labels) - sampleSum(before, name, labels);

    expect(moved('mailroom_sync_runs_total', { kind: 'mail', outcome: 'ok' })).toBe(1);
    expect(moved('mailroom_sync_runs_total', { kind: 'mail', outcome: 'retry' })).toBe(1);
    expect(moved('mailroom_sync_runs_total', { kind: 'calendar' })).toBe(1);
    expect(moved('mailroom_sync_duration_seconds_count', { kind: 'mail' })).toBe(2);
    expect(moved('mailroom_sync_duration_seconds_sum', { kind: 'mail' })).toBeCloseTo(3.2);
    // 3 s falls in the 5 s bucket, not the 2.5 s one.
    expect(moved('mailroom_sync_duration_seconds_bucket', { kind: 'mail', le: '2.5' })).toBe(1);
    expect(moved('mailroom_sync_duration_seconds_bucket', { kind: 'mail', le: '5' })).toBe(2);
    expect(moved('mailroom_messages_total', { result: 'fetched' })).toBe(5);
    expect(moved('mailroom_messages_total', { result: 'stored' })).toBe(4);
    expect(moved('mailroom_messages_total', { result: 'failed' })).toBe(1);
    expect(
      moved('mailroom_provider_errors_total', { provider: 'google', kind: 'RATE_LIMITED' }),
    ).toBe(2);
    expect(
      moved('mailroom_provider_errors_total', { provider: 'microsoft', kind: 'AUTH_REVOKED' }),
    ).toBe(1);
    expect(moved('mailroom_webhook_deliveries_total', { status: 'delivered' })).toBe(1);
    expect(moved('mailroom_webhook_deliveries_total', { status: 'retrying' })).toBe(1);
    expect(moved('mailroom_tracking_hits_total', { kind: 'open', classification: 'human' })).toBe(
      1,
    );
    expect(moved('mailroom_tracking_hits_total', { kind: 'click', classification: 'bot' })).toBe(1);
    expect(
      moved('mailroom_provider_quota_units_total', { provider: 'google', budget: 'gmail' }),
    ).toBe(25);
    expect(
      moved('mailroom_provider_quota_units_total', { provider: 'microsoft', budget: 'graph' }),
    ).toBe(1);
    expect(moved('mailroom_push_received_total', { provider: 'google', outcome: 'woken' })).toBe(1);
    expect(
      moved('mailroom_push_received_total', { provider: 'microsoft', outcome: 'rejected' }),
    ).toBe(2);
    expect(moved('mailroom_push_received_total', { outcome: 'ignored' })).toBe(0);
  });

  it('reads queue depths and the oldest waiting job when scraped', async () => {
    const queuedAt = Date.now() - 42_000;
    const queue: MeasuredQueue = {
      name: 'sync',
      getJobCounts: () => Promise.resolve({ waiting: 3, active: 1, delayed: 2 }),
      getJobs: () => Promise.resolve([{ timestamp: queuedAt, delay: 0 }]),
    };
    stopMeasuring = measureQueues([queue]);
    const body = await text();
    expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'sync', state: 'waiting' })).toBe(3);
    expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'sync', state: 'active' })).toBe(1);
    expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'sync', state: 'delayed' })).toBe(2);
    const age = sampleSum(body, 'mailroom_queue_oldest_waiting_seconds', { queue: 'sync' });
    expect(age).toBeGreaterThanOrEqual(42);
    expect(age).toBeLessThan(42 + 60);
    expect(sampleSum(body, 'mailroom_queue_up', { queue: 'sync' })).toBe(1);
  });

  it('answers the scrape when a queue never answers, with the queue down and no stale depths', async () => {
    let answer = true;
    const never = new Promise<never>(() => undefined);
    const queue: MeasuredQueue = {
      name: 'webhooks',
      getJobCounts: () => (answer ? Promise.resolve({ waiting: 7 }) : never),
      getJobs: () => (answer ? Promise.resolve([]) : never),
    };
    stopMeasuring = measureQueues([queue]);
    const first = await text();
    expect(sampleSum(first, 'mailroom_queue_jobs', { queue: 'webhooks', state: 'waiting' })).toBe(
      7,
    );
    expect(sampleSum(first, 'mailroom_queue_oldest_waiting_seconds', { queue: 'webhooks' })).toBe(
      0,
    );

    answer = false;
    // Bounded by QUEUE_READ_TIMEOUT_MS: without it this scrape never resolves and the test times out.
    const body = await text();
    expect(hasSample(body, 'mailroom_queue_up', { queue: 'webhooks' })).toBe(true);
    expect(sampleSum(body, 'mailroom_queue_up', { queue: 'webhooks' })).toBe(0);
    expect(hasSample(body, 'mailroom_queue_jobs', { queue: 'webhooks', state: 'waiting' })).toBe(
      false,
    );
  });
});
