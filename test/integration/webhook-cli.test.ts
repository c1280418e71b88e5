import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initServices } from '../../src/app/services.ts';
import { startWebhookWorker } from '../../src/app/webhook-worker.ts';
import { parseConfig } from '../../src/config.ts';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { findWebhook } from '../../src/db/repositories/webhook.repository.ts';
import type { EventEnvelope } from '../../src/events/envelope.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { fanOutToWebhooks } from '../../src/webhooks/fan-out.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { json, runCli, type CliResult } from '../helpers/run-cli.ts';
import { testDatabaseUrl, testRedisUrl } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

/**
 * The webhook CLI of product.md (create, list, deliveries, replay, delete), the egress refusal at
 * creation, and `keys:rotate` re-sealing webhook secrets. `keys:rotate` touches every stored
 * secret, so this file has a database of its own.
 */
const dbUrl = (() => {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_webhooks_${randomBytes(3).toString('hex')}`;
  return url.toString();
})();
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const env = {
  DATABASE_URL: dbUrl,
  REDIS_URL: testRedisUrl(),
  MAILROOM_ENCRYPTION_KEY: keyA,
  MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
  MAILROOM_WEBHOOK_EGRESS: 'private',
  MAILROOM_WEBHOOK_BACKOFF_MS: '50',
  MAILROOM_WEBHOOK_MAX_ATTEMPTS: '2',
  MAILROOM_WEBHOOK_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'silent',
};

let orm: Orm;
beforeAll(async () => {
  await migrate(dbUrl);
  orm = await initORM(dbUrl);
});
afterAll(async () => {
  await orm.close(true);
  await dropDatabase(dbUrl);
});

function oneErrorLine(r: CliResult, match: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(match);
}

/** A webhook worker in this process with `extra` settings, and the fan-out the relay would call. */
async function deliveryRig(extra: Record<string, string> = {}) {
  const config = parseConfig({ ...env, ...extra });
  const services = await initServices(config, { orm, log: silentLog, queueRole: 'worker' });
  const worker = startWebhookWorker(services);
  return {
    fanOut: (envelopes: EventEnvelope[]) =>
      fanOutToWebhooks(
        { em: orm.em, queue: services.webhookQueue(), config: config.webhooks },
        envelopes,
      ),
    close: async () => {
      await worker.close();
      await services.close();
    },
  };
}

interface DeliveriesOut {
  deliveries: {
    eventId: string;
    type: string;
    attempts: number;
    status: string;
    responseStatus: number | null;
    error: string | null;
    at: string;
  }[];
}

async function cliDeliveries(webhookId: string): Promise<DeliveriesOut['deliveries']> {
  return json<DeliveriesOut>(await runCli(['webhook:deliveries', '--webhook', webhookId], env))
    .deliveries;
}

const settled = async (webhookId: string, n: number) => {
  const ds = await cliDeliveries(webhookId);
  return ds.length === n && ds.every((d) => d.status !== 'retrying');
};

it(
  'create (egress refusals), list, deliveries, replay, keys:rotate, delete',
  { timeout: 300_000 },
  async () => {
    let failing = true;
    const receiver: Receiver = await startReceiver(() =>
      failing ? { status: 500, body: 'down' } : { status: 200 },
    );
    try {
      const { id: ws } = json<{ id: string }>(
        await runCli(['workspace:create', '--name', 'Hooks', '--domain', 'hooks.example'], env),
      );

      // Refused at creation with one line: loopback in any spelling under `public`, cloud metadata
      // under `private`.
      const publicEnv = { ...env, MAILROOM_WEBHOOK_EGRESS: 'public' };
      for (const url of [
        'http://127.0.0.1:9/x',
        'http://2130706433/',
        'http://[::ffff:127.0.0.1]/',
      ]) {
        oneErrorLine(
          await runCli(['webhook:create', '--workspace', ws, '--url', url], publicEnv),
          /webhook URL refused \(egress public\).*loopback/,
        );
      }
      oneErrorLine(
        await runCli(
          ['webhook:create', '--workspace', ws, '--url', 'http://169.254.169.254/latest'],
          env,
        ),
        /webhook URL refused \(egress private\).*link-local/,
      );
      oneErrorLine(
        await runCli(
          ['webhook:create', '--workspace', ws, '--url', receiver.url, '--event', 'nope'],
          env,
        ),
        /--event: unknown event type nope/,
      );

      const created = json<{ id: string; secret: string }>(
        await runCli(
          ['webhook:create', '--workspace', ws, '--url', receiver.url, '--event', 'person.created'],
          env,
        ),
      );
      expect(Object.keys(created).sort()).toEqual(['id', 'secret']);
      expect(created.secret).toMatch(/^whsec_/);
      receiver.setSecret(created.secret);
      const stored = await findWebhook(orm.em.fork(), created.id);
      expect(stored?.sealedSecret).not.toContain(created.secret.slice(6, 20));
      expect(new SecretBox(keyA).open(stored?.sealedSecret ?? '')).toBe(created.secret);

      const listed = await runCli(['webhook:list', '--workspace', ws], env);
      expect(listed.stdout).not.toContain(created.secret);
      expect(json<{ webhooks: unknown[] }>(listed).webhooks).toEqual([
        expect.objectContaining({
          id: created.id,
          url: receiver.url,
          events: ['person.created'],
          enabled: true,
        }),
      ]);

      // Two events fail for good (500 twice, MAILROOM_WEBHOOK_MAX_ATTEMPTS=2); a third type is not subscribed.
      const event = (i: number, type: EventEnvelope['type'] = 'person.created'): EventEnvelope => ({
        id: `evt_cli_${String(i)}_${randomUUID().slice(0, 8)}`,
        type,
        occurredAt: new Date().toISOString(),
        workspaceId: ws,
        data: { personId: randomUUID(), email: `p${String(i)}@x.example` },
      });
      const events = [event(1), event(2), event(3, 'company.created')];
      const rig = await deliveryRig();
      try {
        await rig.fanOut(events);
        await waitFor(() => settled(created.id, 2), 'both deliveries failed');
        const failed = await cliDeliveries(created.id);
        expect(failed.map((d) => d.eventId).sort()).toEqual([events[0]?.id, events[1]?.id].sort());
        for (const d of failed) {
          expect(Object.keys(d).sort()).toEqual(
            ['at', 'attempts', 'error', 'eventId', 'responseStatus', 'status', 'type'].sort(),
          );
          expect(d).toMatchObject({
            type: 'person.created',
            attempts: 2,
            status: 'failed',
            responseStatus: 500,
            error: 'HTTP 500',
          });
        }

        failing = false;
        oneErrorLine(
          await runCli(['webhook:replay', '--webhook', created.id], env),
          /exactly one of --event/,
        );
        expect(
          json(
            await runCli(
              ['webhook:replay', '--webhook', created.id, '--event', events[0]?.id ?? ''],
              env,
            ),
          ),
        ).toEqual({ replayed: 1 });
        await waitFor(
          async () => (await cliDeliveries(created.id)).some((d) => d.status === 'delivered'),
          'the replayed delivery',
        );
        const since = new Date(Date.now() - 3_600_000).toISOString();
        expect(
          json(await runCli(['webhook:replay', '--webhook', created.id, '--since', since], env)),
        ).toEqual({
          replayed: 2,
        });
        await waitFor(
          async () => (await cliDeliveries(created.id)).every((d) => d.status === 'delivered'),
          'every replayed delivery',
        );
      } finally {
        await rig.close();
      }
      // Replays carry the event's id as webhook-id, as the first attempts did.
      const okIds = receiver.received.filter((r) => r.answered === 200).map((r) => r.id);
      expect(okIds.filter((id) => id === events[0]?.id)).toHaveLength(2);
      expect(okIds.filter((id) => id === events[1]?.id)).toHaveLength(1);
      expect(receiver.received.every((r) => r.verified)).toBe(true);

      // keys:rotate re-seals the webhook secret with key B; deliveries then sign with it under B alone.
      oneErrorLine(
        await runCli(['keys:rotate'], { ...env, MAILROOM_ENCRYPTION_KEY: keyB }),
        new RegExp(`keys:rotate changed nothing: 1 stored secret.*webhook ${created.id}`),
      );
      const rotateEnv = {
        ...env,
        MAILROOM_ENCRYPTION_KEY: keyB,
        MAILROOM_ENCRYPTION_KEYS_OLD: keyA,
      };
      expect(json(await runCli(['keys:rotate'], rotateEnv))).toEqual({
        resealed: 1,
        alreadyCurrent: 0,
      });
      const resealed = (await findWebhook(orm.em.fork(), created.id))?.sealedSecret ?? '';
      expect(new SecretBox(keyB).needsRotation(resealed)).toBe(false);
      expect(new SecretBox(keyB).open(resealed)).toBe(created.secret);
      const rigB = await deliveryRig({ MAILROOM_ENCRYPTION_KEY: keyB });
      try {
        const before = receiver.received.length;
        await rigB.fanOut([event(4)]);
        await waitFor(
          () => Promise.resolve(receiver.received.length > before),
          'a delivery signed under key B',
        );
        expect(receiver.received.at(-1)?.verified).toBe(true);
      } finally {
        await rigB.close();
      }

      expect(json(await runCli(['webhook:delete', '--webhook', created.id], env))).toEqual({
        deleted: created.id,
      });
      expect(json(await runCli(['webhook:list', '--workspace', ws], env))).toEqual({
        webhooks: [],
      });
      oneErrorLine(await runCli(['webhook:deliveries', '--webhook', created.id], env), /not found/);
    } finally {
      await receiver.close();
    }
  },
);
