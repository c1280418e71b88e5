import { spawn, type ChildProcess } from 'node:child_process';
import { workerNodeFlags } from './worker-node-flags.ts';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { enqueueMailboxSync } from '../src/app/schedule-sync.ts';
import { parseConfig, type Config } from '../src/config.ts';
import { initORM } from '../src/db/orm.ts';
import { POLL_MAILBOXES } from '../jobs/poll-mailboxes.job.ts';
import { createPollQueue, createSyncQueue } from '../src/queue/queues.ts';
import { SecretBox } from '../src/security/secret-box.ts';
import { createWorkspace } from '../src/workspaces/create-workspace.ts';
import { withBenchDatabase } from './bench-database.ts';
import { benchGmailEnv } from './bench-gmail.ts';
import { round } from './parse-baseline.ts';
import { benchEnv } from './time-first-sync.ts';

/**
 * `fleet`: N Gmail mailboxes (the emulator's generated users, in its own process) served by
 * `--workers` real worker processes (`node src/worker.ts`) on a private Redis, for `--seconds`, on
 * a sped-up clock: every interval is divided by `--speedup` (300 s polls become 30 s at 10), so
 * one run sees each mailbox polled a few times. Mailboxes start as a running fleet would be: each
 * due somewhere in its first interval (the scheduler's own first-schedule spread). Besides the
 * polls, the bench wakes random mailboxes at `--push-rate` per second through the function a push
 * notification calls (enqueueMailboxSync). Calendar sync is off: the figures are mail polling.
 *
 * Figures come from the workers' own /metrics (scheduling lag histogram, sync runs) over the
 * measured window, their peak RSS from /proc (VmHWM), and the private Redis's INFO memory.
 */
const WORKER = fileURLToPath(new URL('../src/worker.ts', import.meta.url));
const EMULATOR = fileURLToPath(new URL('../emulators/google/main.ts', import.meta.url));

export interface FleetOptions {
  mailboxes: number;
  workers: number;
  seconds: number;
  speedup: number;
  pushRate: number;
  tickSeconds: number;
  concurrency: number;
}

export async function benchFleet(
  base: Config,
  opts: FleetOptions,
): Promise<Record<string, unknown>> {
  const children: ChildProcess[] = [];
  const redisPort = await freePort();
  const redis = startChild('redis-server', [
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  children.push(redis.child);
  try {
    await redis.line((l) => l.includes('Ready to accept connections'));
    const emulator = startChild(process.execPath, [
      EMULATOR,
      '--port',
      '0',
      '--generated-users',
      String(opts.mailboxes),
      '--generated-messages',
      '3',
    ]);
    children.push(emulator.child);
    const { url } = JSON.parse(await emulator.line((l) => l.startsWith('{'))) as { url: string };
    const redisUrl = `redis://127.0.0.1:${String(redisPort)}`;
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const env: Record<string, string> = {
        ...benchEnv({ ...base, redis: { url: redisUrl } }, dbUrl),
        ...benchGmailEnv(url),
        MAILROOM_CALENDAR_SYNC: 'off',
        MAILROOM_POLL_INTERVAL_SECONDS: String(Math.max(1, Math.round(300 / opts.speedup))),
        MAILROOM_PUSH_POLL_INTERVAL_SECONDS: String(Math.max(1, Math.round(3600 / opts.speedup))),
        MAILROOM_POLL_TICK_SECONDS: String(opts.tickSeconds),
        MAILROOM_SYNC_CONCURRENCY: String(opts.concurrency),
        MAILROOM_SHUTDOWN_GRACE_SECONDS: '5',
        MAILROOM_METRICS: 'on',
      };
      const config = parseConfig(env);
      const ids = await storeFleet(config, opts.mailboxes);

      const metricsPorts: number[] = [];
      const workers: ChildProcess[] = [];
      for (let w = 0; w < opts.workers; w++) {
        const port = await freePort();
        metricsPorts.push(port);
        const worker = spawn(process.execPath, [...workerNodeFlags(), WORKER], {
          env: {
            PATH: process.env['PATH'] ?? '',
            ...env,
            MAILROOM_WORKER_METRICS_PORT: String(port),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(worker);
        workers.push(worker);
      }
      await Promise.all(metricsPorts.map((p) => scrapeWhenUp(p)));
      const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
      const queue = createSyncQueue(config, connection);
      const pollQueue = createPollQueue(config, connection);
      // Measured from when the workers tick: a start-up (slow on a loaded machine) is not lag.
      while (!(await pollQueue.getJobScheduler(POLL_MAILBOXES))) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await spreadFirstPolls(config);
      const before = await Promise.all(metricsPorts.map((p) => scrape(p)));
      const cpuBefore = workers.map((w) => cpuSeconds(w.pid ?? 0));
      let pushes = 0;
      const start = performance.now();
      // Push-like wake-ups at a fixed rate, each a random mailbox, through the push path's call.
      const pushTimer = setInterval(() => {
        const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
        pushes++;
        void enqueueMailboxSync(queue, id, false);
      }, 1000 / opts.pushRate);
      await new Promise((r) => setTimeout(r, opts.seconds * 1000));
      clearInterval(pushTimer);
      const elapsed = (performance.now() - start) / 1000;
      const after = await Promise.all(metricsPorts.map((p) => scrape(p)));
      const backlog = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed');
      const peakRss = workers.map((w) => peakRssMb(w.pid ?? 0));
      const cpu = workers.reduce((t, w, i) => t + cpuSeconds(w.pid ?? 0) - (cpuBefore[i] ?? 0), 0);
      const memory = await connection.info('memory');
      await queue.close();
      await pollQueue.close();
      connection.disconnect();
      await Promise.all(workers.map((w) => stopChild(w, 'SIGTERM')));

      const lag = subtractBuckets(
        sumBuckets(after, 'mailroom_poll_lag_seconds_bucket'),
        sumBuckets(before, 'mailroom_poll_lag_seconds_bucket'),
      );
      const polls = lag.get(Infinity) ?? 0;
      const syncs =
        sum(after, 'mailroom_sync_runs_total', 'kind="mail"') -
        sum(before, 'mailroom_sync_runs_total', 'kind="mail"');
      return {
        scenario: 'fleet',
        mailboxes: opts.mailboxes,
        workers: opts.workers,
        seconds: round(elapsed),
        speedup: opts.speedup,
        pollIntervalSeconds: config.sync.pollIntervalSeconds,
        tickSeconds: opts.tickSeconds,
        syncConcurrency: opts.concurrency,
        pollLagP50Ms: Math.round(quantile(lag, 0.5) * 1000),
        pollLagP95Ms: Math.round(quantile(lag, 0.95) * 1000),
        pollsPerSecond: round(polls / elapsed),
        syncsPerSecond: round(syncs / elapsed),
        pushesPerSecond: round(pushes / elapsed),
        syncBacklogAtEnd: (backlog['waiting'] ?? 0) + (backlog['prioritized'] ?? 0),
        redisUsedMemoryMb: round(infoField(memory, 'used_memory') / 2 ** 20),
        redisPeakMemoryMb: round(infoField(memory, 'used_memory_peak') / 2 ** 20),
        workerPeakRssMb: round(Math.max(...peakRss)),
        // What a sync costs the workers, whatever else the machine runs: CPU time (polls and
        // pushes included) per completed sync, and the share of one core they had.
        workerCpuMsPerSync: syncs > 0 ? Math.round((cpu * 1000) / syncs) : null,
        workerCpuCores: round(cpu / elapsed),
        loadAverage: round(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])),
      };
    });
  } finally {
    await Promise.all(children.map((c) => stopChild(c, 'SIGKILL')));
  }
}

/**
 * N mailboxes in one workspace, in one statement per 2,000: the emulator's generated users with
 * their sealed refresh tokens, not due until the run starts (spreadFirstPolls).
 */
async function storeFleet(config: Config, count: number): Promise<string[]> {
  const orm = await initORM(config.db.url);
  try {
    const workspaceId = await createWorkspace(orm.em.fork(), {
      name: 'fleet',
      internalDomains: ['fleet.example'],
    });
    const box = new SecretBox(config.encryptionKey ?? '');
    const ids: string[] = [];
    for (let from = 0; from < count; from += 2_000) {
      const rows = [];
      for (let n = from; n < Math.min(count, from + 2_000); n++) {
        rows.push({
          email: `fleet-${String(n)}@fleet.example`,
          credentials: box.seal(`1//emu-fleet-${String(n)}`),
        });
      }
      const inserted = await orm.em.fork().execute<{ id: string }[]>(
        `insert into mailbox (id, workspace_id, provider, email, credentials, status, next_poll_at)
         select gen_random_uuid(), ?, 'google', r.email, r.credentials, 'active', 'infinity'
           from jsonb_to_recordset(?::jsonb) as r(email text, credentials text)
         returning id`,
        [workspaceId, JSON.stringify(rows)],
      );
      ids.push(...inserted.map((r) => r.id));
    }
    return ids;
  } finally {
    await orm.close(true);
  }
}

/**
 * Each mailbox first due at the point of its first interval the scheduler would give it
 * (mailbox-poll.repository.ts), from now: a fleet that has been running, not a herd.
 */
async function spreadFirstPolls(config: Config): Promise<void> {
  const orm = await initORM(config.db.url);
  try {
    await orm.em.fork().execute(
      `update mailbox set next_poll_at = now() + make_interval(secs => ?
         * ('x' || substr(md5(id::text), 1, 8))::bit(32)::bigint / 4294967296.0)`,
      [config.sync.pollIntervalSeconds],
    );
  } finally {
    await orm.close(true);
  }
}

interface Child {
  child: ChildProcess;
  /** Resolves with the first output line that `match` accepts. */
  line(match: (l: string) => boolean): Promise<string>;
}

function startChild(command: string, args: string[]): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      for (const w of waiting.filter((x) => x.match(l))) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  return {
    child,
    line: (match) =>
      new Promise((resolve, reject) => {
        const found = lines.find(match);
        if (found !== undefined) {
          resolve(found);
          return;
        }
        waiting.push({ match, resolve });
        child.once('exit', (code) => {
          reject(new Error(`${command} exited (${String(code)}) before it was ready`));
        });
      }),
  };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  });
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${String(port)}/metrics`);
  return res.text();
}

/** The worker's metrics once it serves them (it starts before it has connected to Redis). */
async function scrapeWhenUp(port: number): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await scrape(port);
    } catch (err) {
      if (Date.now() > deadline) {
        throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Sum over every worker's text of the samples of `name` whose labels contain `label`. */
function sum(texts: string[], name: string, label = ''): number {
  let total = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
        if (line.includes(label)) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
    }
  }
  return total;
}

/** Cumulative bucket counts by upper bound (`le`), summed over every worker. */
function sumBuckets(texts: string[], name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const text of texts) {
    for (const m of text.matchAll(new RegExp(`^${name}\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
    }
  }
  return buckets;
}

function subtractBuckets(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  return new Map([...a].map(([le, n]) => [le, n - (b.get(le) ?? 0)]));
}

/** Prometheus' histogram_quantile: linear within the bucket the quantile falls in. */
function quantile(buckets: Map<number, number>, q: number): number {
  const sorted = [...buckets].sort((x, y) => x[0] - y[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) {
    return NaN;
  }
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) {
        return prevLe;
      }
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** User and system CPU time of a process so far (/proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

function infoField(info: string, field: string): number {
  return Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}
