import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, describe, expect } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { parseConfig } from '../../src/config.ts';
import { createTrackingSigner } from '../../src/tracking/tracking-token.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { hasSample, sampleSum } from '../helpers/prometheus-text.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';
import { HUMAN_UA, storeSentMessage, storeToken } from '../helpers/tracking-fixture.ts';

/**
 * `GET /metrics` on the app `npm start` serves, scraped over HTTP (inject) before and after real
 * work in this process: a Gmail sync through BullMQ and the real client, hits on the tracking
 * pixel, jobs on the API's queues. Counters are process-wide, so each test asserts how far they
 * moved, never their absolute value.
 */
const trackingKey = randomBytes(32);
const apis: ApiHarness[] = [];
afterAll(async () => {
  for (const api of apis) {
    await api.close();
  }
});

async function scrape(api: ApiHarness): Promise<string> {
  const res = await api.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

const moved = (before: string, after: string, name: string, labels: Record<string, string> = {}) =>
  sampleSum(after, name, labels) - sampleSum(before, name, labels);

describe('GET /metrics', () => {
  it('counts a sync run, its messages and the provider errors it met', async ({ orm, gmail }) => {
    const api = await startApi(orm);
    apis.push(api);
    const email = 'metrics@northwind.com';
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mb = await connectGmailMailbox(orm, gmail, ws, email);
    for (let i = 0; i < 4; i++) {
      gmail.emulator.store.addMessage(
        email,
        buildEml({
          from: `Person ${String(i)} <p${String(i)}@acme${String(i)}.com>`,
          to: [email],
          messageId: `<metrics-${String(i)}@mail.test>`,
        }),
      );
    }
    // One throttled fetch: waited out in place (no job retry), but classified and counted.
    const fired = injectFaults(gmail.emulator.faults, {
      path: '/messages/',
      status: 429,
      retryAfterSeconds: 0,
      count: 1,
    });

    const before = await scrape(api);
    const result = await runSyncNow(gmail.config, orm, silentLog, mb);
    const after = await scrape(api);

    expect(result).toMatchObject({ status: 'active', fetched: 4 });
    expect(fired()).toBe(1);
    expect(moved(before, after, 'mailroom_sync_runs_total', { kind: 'mail', outcome: 'ok' })).toBe(
      1,
    );
    expect(moved(before, after, 'mailroom_sync_runs_total', { kind: 'calendar' })).toBe(1);
    expect(moved(before, after, 'mailroom_sync_duration_seconds_count', { kind: 'mail' })).toBe(1);
    expect(moved(before, after, 'mailroom_messages_total', { result: 'fetched' })).toBe(4);
    expect(moved(before, after, 'mailroom_messages_total', { result: 'stored' })).toBe(4);
    expect(moved(before, after, 'mailroom_messages_total', { result: 'failed' })).toBe(0);
    expect(
      moved(before, after, 'mailroom_provider_errors_total', {
        provider: 'google',
        kind: 'RATE_LIMITED',
      }),
    ).toBe(1);
  });

  it("counts the Gmail quota a sync spends, in the regime's units, enforced or not", async ({
    orm,
    gmail,
  }) => {
    const api = await startApi(orm);
    apis.push(api);
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const sync = async (email: string, quota: 'off' | 'new') => {
      const mb = await connectGmailMailbox(orm, gmail, ws, email);
      for (let i = 0; i < 3; i++) {
        gmail.emulator.store.addMessage(
          email,
          buildEml({
            from: `Person ${String(i)} <p${String(i)}@acme${String(i)}.com>`,
            to: [email],
            messageId: `<quota-${quota}-${String(i)}@mail.test>`,
          }),
        );
      }
      const config = parseConfig({ ...gmail.env, MAILROOM_GMAIL_QUOTA: quota });
      const before = await scrape(api);
      const result = await runSyncNow(config, orm, silentLog, mb);
      const after = await scrape(api);
      expect(result).toMatchObject({ status: 'active', fetched: 3 });
      return {
        gmail: moved(before, after, 'mailroom_provider_quota_units_total', {
          provider: 'google',
          budget: 'gmail',
        }),
        calendar: moved(before, after, 'mailroom_provider_quota_units_total', {
          provider: 'google',
          budget: 'calendar',
        }),
      };
    };
    // provider-apis.md §A.9: the profile (1), one page of the listing (5), three messages (5 each
    // in the old regime, which `off` prices with; 20 each in the new) and the history (2) after
    // the backfill.
    const off = await sync('quota.off@northwind.com', 'off');
    expect(off.gmail).toBe(1 + 5 + 3 * 5 + 2);
    const enforced = await sync('quota.new@northwind.com', 'new');
    expect(enforced.gmail).toBe(1 + 5 + 3 * 20 + 2);
    // The calendar sync's requests count against the Calendar budget, one unit each.
    expect(off.calendar).toBeGreaterThan(0);
    expect(enforced.calendar).toBe(off.calendar);
  });

  it('counts tracking hits by kind and classification', async ({ orm, pool }) => {
    const api = await startApi(orm, {
      MAILROOM_TRACKING_KEYS: `3:${trackingKey.toString('base64')}`,
    });
    apis.push(api);
    const signer = createTrackingSigner({ current: { id: 3, key: trackingKey } });
    const rep = 'rep@mine.example';
    const ada = 'ada@acme.example';
    const mailboxId = await createMailbox(orm, api.workspaceId, rep);
    const emailId = await storeSentMessage({ orm, pool }, api.workspaceId, mailboxId, {
      from: rep,
      to: ada,
    });
    const { token } = await storeToken({ orm, signer }, api.workspaceId, emailId, {
      kind: 'open',
      url: null,
      recipient: ada,
    });

    const before = await scrape(api);
    const hit = (ua: string) =>
      api.app.inject({
        method: 'GET',
        url: `/t/o/${token}`,
        remoteAddress: '203.0.113.5',
        headers: { 'user-agent': ua },
      });
    expect((await hit(HUMAN_UA)).statusCode).toBe(200);
    expect((await hit(HUMAN_UA)).statusCode).toBe(200);
    // A forged token is answered the same, and is no hit.
    expect(
      (await api.app.inject({ method: 'GET', url: `/t/o/${signer.mint('open')}` })).statusCode,
    ).toBe(200);
    const after = await scrape(api);

    const hits = (labels: Record<string, string>) =>
      moved(before, after, 'mailroom_tracking_hits_total', labels);
    expect(hits({ kind: 'open', classification: 'human' })).toBe(2);
    expect(hits({})).toBe(2);
  });

  it("reports the API's queues: depth by state and the oldest waiting job's age", async ({
    orm,
  }) => {
    const api = await startApi(orm);
    apis.push(api);
    // The API's own queue, under its private prefix: no worker takes these jobs.
    const queue = new Queue('sync', {
      connection: api.services.redis('producer'),
      prefix: api.config.sync.queuePrefix,
    });
    try {
      await queue.add('probe', {}, { delay: 3_600_000 });
      await queue.add('probe', {});
      await queue.add('probe', {});
      const body = await scrape(api);
      expect(sampleSum(body, 'mailroom_queue_up', { queue: 'sync' })).toBe(1);
      expect(sampleSum(body, 'mailroom_queue_up', { queue: 'webhooks' })).toBe(1);
      expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'sync', state: 'waiting' })).toBe(2);
      expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'sync', state: 'delayed' })).toBe(1);
      expect(sampleSum(body, 'mailroom_queue_jobs', { queue: 'webhooks', state: 'waiting' })).toBe(
        0,
      );
      expect(hasSample(body, 'mailroom_queue_oldest_waiting_seconds', { queue: 'sync' })).toBe(
        true,
      );
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('is not served with MAILROOM_METRICS=off', async ({ orm }) => {
    const api = await startApi(orm, { MAILROOM_METRICS: 'off' });
    apis.push(api);
    expect((await api.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
