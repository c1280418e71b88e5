import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initServices, type Services } from '../../src/app/services.ts';
import { startWebhookWorker, type WebhookWorker } from '../../src/app/webhook-worker.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import type { Orm } from '../../src/db/orm.ts';
import { findWebhook } from '../../src/db/repositories/webhook.repository.ts';
import type { EventEnvelope } from '../../src/events/envelope.ts';
import { createWebhook } from '../../src/webhooks/create-webhook.ts';
import { fanOutToWebhooks } from '../../src/webhooks/fan-out.ts';
import { webhookDeliveries } from '../../src/webhooks/webhook-admin.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { freePort } from '../helpers/processes.ts';
import {
  createWorkspace,
  openTestOrm,
  testDatabaseUrl,
  testRedisUrl,
} from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

/**
 * Signed webhook delivery (issue 11, item 4) against real PostgreSQL, Redis and HTTP receivers on
 * 127.0.0.1 (`MAILROOM_WEBHOOK_EGRESS=private`). Each test has its own queue prefix and workspace;
 * receivers verify signatures with the `standardwebhooks` package itself.
 */
const LONG = { timeout: 240_000 };

let orm: Orm;
beforeAll(async () => {
  orm = await openTestOrm();
});
afterAll(async () => {
  await orm.close(true);
});

function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
    MAILROOM_WEBHOOK_EGRESS: 'private',
    MAILROOM_WEBHOOK_BACKOFF_MS: '50',
    MAILROOM_WEBHOOK_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

interface Setup {
  config: Config;
  services: Services;
  workspaceId: string;
  startWorker(): WebhookWorker;
  subscribe(
    receiverOrUrl: Receiver | string,
    events?: string[],
    egress?: Config['webhooks']['egress'],
  ): Promise<string>;
  publish(count: number): Promise<EventEnvelope[]>;
  close(): Promise<void>;
}

async function setUp(extra: Record<string, string> = {}): Promise<Setup> {
  const config = parseConfig(testEnv(extra));
  const services = await initServices(config, { orm, log: silentLog, queueRole: 'worker' });
  const workspaceId = await createWorkspace(orm);
  const workers: WebhookWorker[] = [];
  return {
    config,
    services,
    workspaceId,
    startWorker() {
      const w = startWebhookWorker(services);
      workers.push(w);
      return w;
    },
    async subscribe(target, events = [], egress = config.webhooks.egress) {
      const { id, secret } = await createWebhook(
        { em: orm.em.fork(), secretBox: services.secretBox(), egress },
        { workspaceId, url: typeof target === 'string' ? target : target.url, eventTypes: events },
      );
      if (typeof target !== 'string') {
        target.setSecret(secret);
      }
      return id;
    },
    async publish(count) {
      const envelopes = Array.from({ length: count }, (_, i) => envelope(workspaceId, i));
      await fanOutToWebhooks(
        { em: orm.em, queue: services.webhookQueue(), config: config.webhooks },
        envelopes,
      );
      return envelopes;
    },
    async close() {
      for (const w of workers) {
        await w.close();
      }
      await services.close();
    },
  };
}

function envelope(workspaceId: string, i: number): EventEnvelope {
  return {
    id: `evt_${Date.now().toString(36)}_${randomUUID().replaceAll('-', '')}`,
    type: 'person.created',
    occurredAt: new Date().toISOString(),
    workspaceId,
    data: { personId: randomUUID(), email: `p${String(i)}@example.com` },
  };
}

async function deliveries(webhookId: string) {
  return (await webhookDeliveries(orm.em.fork(), webhookId, { limit: 1000 })).deliveries;
}

async function settled(webhookId: string, count: number): Promise<boolean> {
  const ds = await deliveries(webhookId);
  return ds.length === count && ds.every((d) => d.status !== 'retrying');
}

it(
  'delivers the envelope signed per Standard Webhooks, verified by an independent receiver',
  LONG,
  async () => {
    const receiver = await startReceiver();
    const s = await setUp();
    try {
      const webhookId = await s.subscribe(receiver);
      s.startWorker();
      const [event] = await s.publish(1);
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      expect(receiver.received).toHaveLength(1);
      const got = receiver.received[0];
      expect(got?.verified).toBe(true);
      expect(got?.id).toBe(event?.id);
      expect(JSON.parse(got?.body ?? '')).toEqual(event);
      const [d] = await deliveries(webhookId);
      expect(d).toMatchObject({
        eventId: event?.id,
        type: 'person.created',
        attempts: 1,
        status: 'delivered',
        responseStatus: 200,
        error: null,
      });
    } finally {
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'an event written before the webhook was created, published after, reaches it',
  LONG,
  async () => {
    const receiver = await startReceiver();
    const s = await setUp();
    try {
      // Written a minute ago by a `sync` while no worker (so no relay) was running.
      const early = {
        ...envelope(s.workspaceId, 0),
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      };
      const webhookId = await s.subscribe(receiver);
      s.startWorker();
      await fanOutToWebhooks(
        { em: orm.em, queue: s.services.webhookQueue(), config: s.config.webhooks },
        [early],
      );
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      expect(receiver.received.map((r) => r.id)).toEqual([early.id]);
    } finally {
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'a receiver failing with 500 then recovering gets it after retries, each attempt logged',
  LONG,
  async () => {
    const longBody = 'x'.repeat(3000);
    const receiver = await startReceiver((_r, i) =>
      i < 2 ? { status: 500, body: longBody } : { status: 204 },
    );
    const s = await setUp();
    try {
      const webhookId = await s.subscribe(receiver);
      s.startWorker();
      const [event] = await s.publish(1);
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 204]);
      // The same webhook-id on every attempt, each signed for its own timestamp.
      expect(new Set(receiver.received.map((r) => r.id))).toEqual(new Set([event?.id]));
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      const view = await webhookDeliveries(orm.em.fork(), webhookId, {
        limit: 10,
        eventId: event?.id ?? '',
      });
      const d = view.deliveries[0];
      expect(d).toMatchObject({
        status: 'delivered',
        attempts: 3,
        responseStatus: 204,
        error: null,
      });
      expect(d?.log?.map((a) => a.responseStatus)).toEqual([500, 500, 204]);
      expect(d?.log?.[0]?.error).toBe('HTTP 500');
      expect(d?.log?.[0]?.responseBody).toBe('x'.repeat(1024));
      expect(d?.log?.every((a) => a.durationMs >= 0)).toBe(true);
      expect((await findWebhook(orm.em.fork(), webhookId))?.lastError).toBe('HTTP 500');
    } finally {
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'a timed-out attempt is retried; connection refused fails after the last attempt, kept',
  LONG,
  async () => {
    const slow = await startReceiver((_r, i) => (i === 0 ? 'hang' : { status: 200 }));
    const s = await setUp({
      MAILROOM_WEBHOOK_MAX_ATTEMPTS: '3',
      MAILROOM_WEBHOOK_TIMEOUT_MS: '1000',
    });
    try {
      const slowId = await s.subscribe(slow);
      const refusedId = await s.subscribe(`http://127.0.0.1:${String(await freePort())}/hook`);
      s.startWorker();
      const [event] = await s.publish(1);
      await waitFor(
        async () => (await settled(slowId, 1)) && settled(refusedId, 1),
        'both settled',
      );

      const slowView = await webhookDeliveries(orm.em.fork(), slowId, {
        limit: 1,
        eventId: event?.id ?? '',
      });
      expect(slowView.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(slowView.deliveries[0]?.log?.[0]).toMatchObject({ responseStatus: null });
      expect(slowView.deliveries[0]?.log?.[0]?.error).toMatch(/timed out|TIMEOUT/i);

      const refused = await webhookDeliveries(orm.em.fork(), refusedId, {
        limit: 1,
        eventId: event?.id ?? '',
      });
      expect(refused.deliveries[0]).toMatchObject({
        status: 'failed',
        attempts: 3,
        responseStatus: null,
      });
      expect(refused.deliveries[0]?.error).toMatch(/ECONNREFUSED/);
      expect(refused.deliveries[0]?.log).toHaveLength(3);
      expect((await findWebhook(orm.em.fork(), refusedId))?.lastError).toMatch(/ECONNREFUSED/);
    } finally {
      await s.close();
      await slow.close();
    }
  },
);

it(
  '410 Gone disables the webhook with its reason; later events are not queued for it',
  LONG,
  async () => {
    const receiver = await startReceiver(() => ({ status: 410 }));
    const s = await setUp();
    try {
      const webhookId = await s.subscribe(receiver);
      s.startWorker();
      await s.publish(1);
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      expect((await deliveries(webhookId))[0]).toMatchObject({
        status: 'failed',
        attempts: 1,
        responseStatus: 410,
      });
      const webhook = await findWebhook(orm.em.fork(), webhookId);
      expect(webhook?.enabled).toBe(false);
      expect(webhook?.disabledReason).toMatch(/^410 Gone from /);
      await s.publish(2);
      expect(await deliveries(webhookId)).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'the egress policy is enforced again at delivery: a URL stored under private is refused under public',
  LONG,
  async () => {
    const receiver = await startReceiver();
    const s = await setUp({
      MAILROOM_WEBHOOK_EGRESS: 'public',
      MAILROOM_WEBHOOK_MAX_ATTEMPTS: '2',
    });
    try {
      const webhookId = await s.subscribe(receiver, [], 'private');
      s.startWorker();
      await s.publish(1);
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      const [d] = await deliveries(webhookId);
      expect(d).toMatchObject({ status: 'failed', attempts: 2, responseStatus: null });
      expect(d?.error).toMatch(/^webhook URL refused \(egress public\).*loopback/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'a secret no configured key opens: no request is sent, and the delivery ends failed, not retrying',
  LONG,
  async () => {
    const receiver = await startReceiver();
    const s = await setUp({ MAILROOM_WEBHOOK_MAX_ATTEMPTS: '2' });
    const other = await setUp({
      MAILROOM_QUEUE_PREFIX: s.config.sync.queuePrefix,
      MAILROOM_WEBHOOK_MAX_ATTEMPTS: '2',
    });
    try {
      // Created under one key, delivered by a worker that has another.
      const webhookId = await s.subscribe(receiver);
      other.startWorker();
      await s.publish(1);
      await waitFor(() => settled(webhookId, 1), 'the delivery settled');
      const [d] = await deliveries(webhookId);
      expect(d).toMatchObject({ status: 'failed', attempts: 0 });
      expect(d?.error).toMatch(/MAILROOM_ENCRYPTION_KEY cannot open a stored secret/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await other.close();
      await s.close();
      await receiver.close();
    }
  },
);

it(
  'fan-out twice queues one job per (webhook, event); after delivery it queues nothing',
  LONG,
  async () => {
    const a = await startReceiver();
    const b = await startReceiver();
    const s = await setUp();
    try {
      const aId = await s.subscribe(a);
      const bId = await s.subscribe(b, ['email.received']); // not subscribed to person.created
      const cId = await s.subscribe(b);
      const events = await s.publish(5);
      const deps = { em: orm.em, queue: s.services.webhookQueue(), config: s.config.webhooks };
      await fanOutToWebhooks(deps, events);
      const counts = await s.services.webhookQueue().getJobCounts('waiting', 'delayed', 'active');
      expect((counts['waiting'] ?? 0) + (counts['delayed'] ?? 0) + (counts['active'] ?? 0)).toBe(
        10,
      );
      expect(await deliveries(bId)).toHaveLength(0);

      s.startWorker();
      await waitFor(async () => (await settled(aId, 5)) && settled(cId, 5), 'all delivered');
      expect(await fanOutToWebhooks(deps, events)).toBe(0);
      expect(a.received).toHaveLength(5);
      expect(b.received).toHaveLength(5);
    } finally {
      await s.close();
      await a.close();
      await b.close();
    }
  },
);

it(
  'a dead endpoint beside a healthy one: the healthy one gets everything while the dead one holds at most its slots',
  LONG,
  async () => {
    const dead = await startReceiver(() => 'hang');
    const healthy = await startReceiver();
    // Four worker slots, two per endpoint: without the per-endpoint limit the dead endpoint's
    // twenty deliveries would take every slot for a whole timeout each.
    const s = await setUp({
      MAILROOM_WEBHOOK_TIMEOUT_MS: '8000',
      MAILROOM_WEBHOOK_CONCURRENCY: '4',
      MAILROOM_WEBHOOK_ENDPOINT_CONCURRENCY: '2',
    });
    try {
      const deadId = await s.subscribe(dead);
      const healthyId = await s.subscribe(healthy);
      await s.publish(20);
      s.startWorker();
      await waitFor(() => settled(healthyId, 20), 'every healthy delivery');
      expect(healthy.received.every((r) => r.verified)).toBe(true);
      const deadDeliveries = await deliveries(deadId);
      expect(deadDeliveries.filter((d) => d.status === 'retrying')).toHaveLength(20);
      expect(dead.maxInFlight).toBeLessThanOrEqual(2);
      expect(dead.received.length).toBeGreaterThan(0);
    } finally {
      await s.close();
      await dead.close();
      await healthy.close();
    }
  },
);

const WORKER = fileURLToPath(new URL('../helpers/webhook-worker-process.ts', import.meta.url));

function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [WORKER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: 'ignore',
  });
}

it(
  'a worker SIGKILLed mid-delivery: every event is still delivered, under the same webhook-id',
  LONG,
  async () => {
    let answering = false;
    const receiver = await startReceiver(() => (answering ? { status: 200 } : 'hang'));
    const env = testEnv({ MAILROOM_WEBHOOK_TIMEOUT_MS: '5000' });
    const s = await setUp(env);
    let first: ChildProcess | null = null;
    let second: ChildProcess | null = null;
    try {
      const webhookId = await s.subscribe(receiver);
      const events = await s.publish(4);
      first = spawnWorker(env);
      await waitFor(() => Promise.resolve(receiver.received.length >= 1), 'a delivery in flight');
      const inFlight = receiver.received[0]?.id;
      first.kill('SIGKILL');
      await new Promise((r) => first?.once('exit', r));
      answering = true;
      second = spawnWorker(env);
      await waitFor(() => settled(webhookId, 4), 'every delivery settled', 180_000);
      const ds = await deliveries(webhookId);
      expect(ds.every((d) => d.status === 'delivered')).toBe(true);
      const answeredIds = new Set(
        receiver.received.filter((r) => r.answered === 200).map((r) => r.id),
      );
      expect(answeredIds).toEqual(new Set(events.map((e) => e.id)));
      // The one cut off was sent again with the id it had.
      expect(receiver.received.filter((r) => r.id === inFlight).length).toBeGreaterThanOrEqual(2);
      expect(receiver.received.every((r) => r.verified)).toBe(true);
    } finally {
      second?.kill('SIGKILL');
      first?.kill('SIGKILL');
      await s.close();
      await receiver.close();
    }
  },
);
