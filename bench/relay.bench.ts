import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { eventsQueueSink, startEventRelay } from '../src/app/event-relay.ts';
import type { Config } from '../src/config.ts';
import { initORM, type Orm } from '../src/db/orm.ts';
import { appendEvents } from '../src/db/outbox.ts';
import { createLogger } from '../src/logger.ts';
import { createEventsQueue } from '../src/queue/events-queue.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { withBenchDatabase } from './bench-database.ts';
import { peakRssMb, round } from './parse-baseline.ts';

/**
 * `relay`: events through the outbox relay into the `events` queue, on a throwaway database and
 * queue prefix. Two rounds of N events each, written in transactions of 100 (a backfill's shape):
 * - backlog: written first, then one relay drains them (its throughput alone);
 * - live: four writers commit while the relay runs, woken by NOTIFY; latency is from the row's
 *   insert (`occurredAt`) to the job's creation in Redis.
 */
const PER_TX = 100;
const WRITERS = 4;

/** One transaction appending `count` person.created events (the events bench writes these too). */
export async function writePersonEvents(orm: Orm, ws: string, count: number): Promise<void> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await orm.em.fork().transactional(async (tx) => {
    await appendEvents(
      tx,
      ids.map((id) => ({
        type: 'person.created' as const,
        workspaceId: ws,
        aggregateId: id,
        occurrence: id,
        data: { personId: id, email: `${id}@bench.example` },
      })),
    );
  });
}

async function writeAll(orm: Orm, ws: string, events: number, writers: number): Promise<void> {
  let left = events;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (left > 0) {
        const n = Math.min(PER_TX, left);
        left -= n;
        await writePersonEvents(orm, ws, n);
      }
    }),
  );
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchRelay(base: Config, opts: { events: number }) {
  return withBenchDatabase(base.db.url, async (url) => {
    const orm = await initORM(url);
    const redis = new Redis(base.redis.url, { maxRetriesPerRequest: null });
    const config = {
      ...base,
      sync: { ...base.sync, queuePrefix: `bench-relay-${randomBytes(4).toString('hex')}` },
    };
    const queue = createEventsQueue(config, redis);
    try {
      const ws = await createWorkspace(orm.em.fork(), {
        name: 'bench',
        internalDomains: [],
        blocklist: [],
      });
      const published = async (): Promise<number> => (await queue.getJobCounts('wait')).wait ?? 0;
      // Polled every 10 ms: the figures' resolution, far below the rounds' length.
      const relayed = async (total: number): Promise<void> => {
        while ((await published()) < total) {
          await sleep(10);
        }
      };
      const start = () =>
        startEventRelay({
          orm,
          databaseUrl: url,
          log: createLogger('warn', 'bench-relay'),
          pollMs: 1_000,
          sinks: [
            eventsQueueSink(queue, opts.events * 3, () =>
              queue.waitUntilReady().then(() => undefined),
            ),
          ],
        });

      // Backlog: the relay alone.
      await writeAll(orm, ws, opts.events, WRITERS);
      let t0 = performance.now();
      let relay = start();
      await relayed(opts.events);
      const backlogSeconds = (performance.now() - t0) / 1000;
      await relay.stop();

      // Live: writers and relay together.
      relay = start();
      await relay.ready;
      t0 = performance.now();
      await writeAll(orm, ws, opts.events, WRITERS);
      const writeSeconds = (performance.now() - t0) / 1000;
      await relayed(2 * opts.events);
      const liveSeconds = (performance.now() - t0) / 1000;
      await relay.stop();

      const jobs = await queue.getJobs(['wait'], 0, opts.events - 1, false);
      const latencies = jobs
        .map((j) => j.timestamp - Date.parse(j.data.occurredAt))
        .sort((a, b) => a - b);
      return {
        scenario: 'relay',
        events: opts.events,
        backlogSeconds: round(backlogSeconds),
        backlogEventsPerSecond: Math.round(opts.events / backlogSeconds),
        liveWriteSeconds: round(writeSeconds),
        liveSeconds: round(liveSeconds),
        liveEventsPerSecond: Math.round(opts.events / liveSeconds),
        liveP50LatencyMs: Math.round(percentile(latencies, 50)),
        liveP95LatencyMs: Math.round(percentile(latencies, 95)),
        peakRssMb: peakRssMb(),
      };
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      redis.disconnect();
      await orm.close(true);
    }
  });
}
