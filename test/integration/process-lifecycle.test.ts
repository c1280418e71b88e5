import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  descendantsOf,
  freePort,
  freshDatabase,
  REPO_ROOT,
  spawnWatched,
  stop,
  waitUntilGone,
  type Watched,
} from '../helpers/processes.ts';
import { testDatabaseUrl } from '../helpers/test-orm.ts';

/**
 * Issue 10 items 9 and 10, through npm as an operator runs the service: a bad configuration or an
 * unreachable database gives the CLI's one line, not a stack; a SIGTERM (or SIGKILL) to the npm
 * process leaves no node process of it behind.
 */
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const npmEnv = (env: Record<string, string>) => ({
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? '/tmp',
  npm_config_update_notifier: 'false',
  LOG_LEVEL: 'info',
  MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  MAILROOM_QUEUE_PREFIX: `test-${randomUUID()}`,
  REDIS_URL,
  ...env,
});

const running: Watched[] = [];
// Processes a failing test may leave behind (re-parented away from npm, so found up front).
const strays = new Set<number>();
afterAll(async () => {
  for (const w of running) {
    await stop(w, 'SIGKILL');
  }
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone: the fix at work.
    }
  }
});

function npm(script: 'start' | 'worker', env: Record<string, string>): Watched {
  const args = script === 'start' ? ['start'] : ['run', 'worker'];
  const w = spawnWatched('npm', args, { cwd: REPO_ROOT, env: npmEnv(env) });
  running.push(w);
  return w;
}

describe('npm start / npm run worker fail with one line', () => {
  const closedDb = async () => `postgres://postgres@127.0.0.1:${String(await freePort())}/mailroom`;

  it.each([
    ['start', { PORT: 'not-a-port' }, 'PORT'],
    ['worker', { MAILROOM_SYNC_CONCURRENCY: '0' }, 'MAILROOM_SYNC_CONCURRENCY'],
    ['start', 'closed-db', 'DATABASE_URL'],
    ['worker', 'closed-db', 'DATABASE_URL'],
  ] as const)('npm %s with %o prints one line naming %s', async (script, setting, name) => {
    const env = setting === 'closed-db' ? { DATABASE_URL: await closedDb() } : setting;
    const run = npm(script, { DATABASE_URL: testDatabaseUrl(), ...env });
    expect(await run.exited).not.toBe(0);
    const lines = run.stderr.filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toContain(name);
  });
});

describe('signals reach the node process behind npm', () => {
  async function startAndKill(
    script: 'start' | 'worker',
    env: Record<string, string>,
    signal: NodeJS.Signals,
  ): Promise<number[]> {
    const run = npm(script, env);
    await run.waitForStderr((l) => /Server listening|worker started/.test(l), 30_000);
    const pid = run.child.pid ?? 0;
    const family = await descendantsOf(pid);
    expect(family.length).toBeGreaterThan(0);
    family.forEach((p) => strays.add(p));
    process.kill(pid, signal);
    await run.exited;
    return waitUntilGone(family);
  }

  it('SIGTERM to `npm start` stops its node process', async () => {
    const left = await startAndKill(
      'start',
      { DATABASE_URL: testDatabaseUrl(), PORT: String(await freePort()) },
      'SIGTERM',
    );
    expect(left).toEqual([]);
  });

  it('SIGTERM to `npm run worker` stops its node process', async () => {
    const db = await freshDatabase(testDatabaseUrl());
    const prefix = `test-${randomUUID()}`;
    try {
      const left = await startAndKill(
        'worker',
        { DATABASE_URL: db.url, MAILROOM_QUEUE_PREFIX: prefix },
        'SIGTERM',
      );
      expect(left).toEqual([]);
    } finally {
      await db.drop();
      // The worker's poll scheduler and its first poll.
      const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue('sync', { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });

  it('SIGKILL to `npm start` (no signal forwarded) still stops its node process', async () => {
    const left = await startAndKill(
      'start',
      { DATABASE_URL: testDatabaseUrl(), PORT: String(await freePort()) },
      'SIGKILL',
    );
    expect(left).toEqual([]);
  });
});
