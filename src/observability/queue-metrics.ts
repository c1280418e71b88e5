import { Gauge } from 'prom-client';
import { registry } from './metrics.ts';

/**
 * Queue depths and ages, read from BullMQ when Prometheus scrapes (not kept up to date by every
 * job). Each read is bounded by a short timeout: a worker's queue connection waits for Redis
 * without limit during an outage, and a scrape must not hang on it. A queue that did not answer
 * has no samples in that scrape and `mailroom_queue_up{queue}` 0.
 */
export const QUEUE_READ_TIMEOUT_MS = 1_000;

/** What is read from a queue; a BullMQ `Queue` fits it. */
export interface MeasuredQueue {
  readonly name: string;
  getJobCounts(): Promise<Record<string, number>>;
  getJobs(
    types: 'wait'[],
    start: number,
    end: number,
    asc: boolean,
  ): Promise<({ timestamp: number; delay?: number } | undefined)[]>;
}

interface QueueReading {
  counts: Record<string, number>;
  oldestWaitingSeconds: number;
}

let queues: readonly MeasuredQueue[] = [];
/** A read still running from an earlier scrape is awaited again, never started twice. */
const pending = new Map<string, Promise<QueueReading>>();

/** The queues this process reports; returns the function that stops reporting them. */
export function measureQueues(list: readonly MeasuredQueue[]): () => void {
  queues = list;
  return () => {
    if (queues === list) {
      queues = [];
    }
  };
}

type Readings = Map<string, QueueReading | null>;
/** One read of every queue per scrape, shared by the three gauges' collects. */
let scrapeReadings: Promise<Readings> | null = null;

function readAll(): Promise<Readings> {
  scrapeReadings ??= Promise.all(
    queues.map(async (queue) => {
      try {
        return [queue.name, await withTimeout(read(queue), QUEUE_READ_TIMEOUT_MS)] as const;
      } catch {
        return [queue.name, null] as const;
      }
    }),
  )
    .then((entries) => new Map(entries))
    .finally(() => {
      scrapeReadings = null;
    });
  return scrapeReadings;
}

new Gauge({
  name: 'mailroom_queue_jobs',
  help: 'Jobs in each queue by state (waiting, active, delayed, prioritized, failed, completed…).',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    const readings = await readAll();
    this.reset();
    for (const [queue, reading] of readings) {
      for (const [state, count] of Object.entries(reading?.counts ?? {})) {
        this.set({ queue, state }, count);
      }
    }
  },
});

new Gauge({
  name: 'mailroom_queue_oldest_waiting_seconds',
  help: 'Age of the oldest job waiting to run in each queue (0 when none waits).',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    const readings = await readAll();
    this.reset();
    for (const [queue, reading] of readings) {
      if (reading) {
        this.set({ queue }, reading.oldestWaitingSeconds);
      }
    }
  },
});

new Gauge({
  name: 'mailroom_queue_up',
  help: 'Whether the queue answered within the scrape timeout (1) or not (0).',
  labelNames: ['queue'] as const,
  registers: [registry],
  async collect() {
    const readings = await readAll();
    this.reset();
    for (const [queue, reading] of readings) {
      this.set({ queue }, reading ? 1 : 0);
    }
  },
});

function read(queue: MeasuredQueue): Promise<QueueReading> {
  let reading = pending.get(queue.name);
  if (!reading) {
    reading = readNow(queue).finally(() => pending.delete(queue.name));
    pending.set(queue.name, reading);
  }
  return reading;
}

async function readNow(queue: MeasuredQueue): Promise<QueueReading> {
  const [counts, [oldest]] = await Promise.all([
    queue.getJobCounts(),
    queue.getJobs(['wait'], 0, 0, true),
  ]);
  // A delayed job that became due waits from its due time, not from when it was queued.
  const since = oldest ? oldest.timestamp + (oldest.delay ?? 0) : Date.now();
  return { counts, oldestWaitingSeconds: Math.max(0, (Date.now() - since) / 1000) };
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(ms)} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
