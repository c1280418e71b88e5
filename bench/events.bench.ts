import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { initServices } from '../src/app/services.ts';
import { startWorkerEventRelay } from '../src/app/start-event-relay.ts';
import { startWebhookWorker } from '../src/app/webhook-worker.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { createWebhook } from '../src/webhooks/create-webhook.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { withBenchDatabase } from './bench-database.ts';
import { peakRssMb, round } from './parse-baseline.ts';
import { writePersonEvents } from './relay.bench.ts';

/**
 * `events`: N events written to the outbox (transactions of 100, four writers, a backfill's shape;
 * or, with `--rate R`, a steady R events per second) while the worker's relay and webhook delivery run, delivered to K local receivers that each
 * answer 200 at once. Latency is from the event's outbox row (`occurredAt`) to the receiver
 * reading the request; throughput is deliveries (events × endpoints) per second from the first
 * write to the last delivery.
 */
const PER_TX = 100;
const WRITERS = 4;

interface Receiver {
  url: string;
  latencies: number[];
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const latencies: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { occurredAt: string };
      latencies.push(at - Date.parse(body.occurredAt));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}/hook`, latencies, server };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchEvents(
  base: Config,
  opts: { events: number; endpoints: number; rate: number | null },
) {
  return withBenchDatabase(base.db.url, async (dbUrl) => {
    const config = parseConfig({
      DATABASE_URL: dbUrl,
      REDIS_URL: base.redis.url,
      MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MAILROOM_QUEUE_PREFIX: `bench-events-${randomUUID()}`,
      MAILROOM_WEBHOOK_EGRESS: 'private',
      LOG_LEVEL: 'warn',
    });
    const services = await initServices(config, { name: 'bench-events', queueRole: 'worker' });
    const receivers = await Promise.all(
      Array.from({ length: opts.endpoints }, () => startReceiver()),
    );
    try {
      const ws = await createWorkspace(services.orm.em.fork(), {
        name: 'bench',
        internalDomains: [],
        blocklist: [],
      });
      for (const r of receivers) {
        await createWebhook(
          { em: services.orm.em.fork(), secretBox: services.secretBox(), egress: 'private' },
          { workspaceId: ws, url: r.url, eventTypes: [] },
        );
      }
      const relay = startWorkerEventRelay(services);
      const deliveries = startWebhookWorker(services);
      await relay.ready;
      const t0 = performance.now();
      const writeBatch = (n: number) => writePersonEvents(services.orm, ws, n);
      let left = opts.events;
      if (opts.rate === null) {
        await Promise.all(
          Array.from({ length: WRITERS }, async () => {
            while (left > 0) {
              const n = Math.min(PER_TX, left);
              left -= n;
              await writeBatch(n);
            }
          }),
        );
      } else {
        // A steady stream: a tenth of the rate every 100 ms, on schedule (not after each write).
        const perTick = Math.max(1, Math.round(opts.rate / 10));
        for (let tick = 0; left > 0; tick++) {
          const n = Math.min(perTick, left);
          left -= n;
          await writeBatch(n);
          const due = t0 + (tick + 1) * 100 - performance.now();
          if (due > 0) {
            await sleep(due);
          }
        }
      }
      const total = opts.events * opts.endpoints;
      const received = () => receivers.reduce((n, r) => n + r.latencies.length, 0);
      // Polled every 10 ms: the figures' resolution, far below the run's length.
      while (received() < total) {
        await sleep(10);
      }
      const seconds = (performance.now() - t0) / 1000;
      await relay.stop();
      await deliveries.close();
      const latencies = receivers.flatMap((r) => r.latencies).sort((a, b) => a - b);
      return {
        scenario: 'events',
        events: opts.events,
        endpoints: opts.endpoints,
        ...(opts.rate === null ? {} : { eventsPerSecondWritten: opts.rate }),
        seconds: round(seconds),
        deliveriesPerSecond: Math.round(total / seconds),
        p50LatencyMs: Math.round(percentile(latencies, 50)),
        p95LatencyMs: Math.round(percentile(latencies, 95)),
        peakRssMb: peakRssMb(),
      };
    } finally {
      for (const r of receivers) {
        r.server.closeAllConnections();
        await new Promise((resolve) => r.server.close(resolve));
      }
      for (const queue of [services.webhookQueue()]) {
        await queue.obliterate({ force: true }).catch(() => undefined);
      }
      await services.close();
    }
  });
}
