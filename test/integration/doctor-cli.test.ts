import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing, dropDatabase } from '../../src/db/create-database.ts';
import { freePort, startRedis, stop, type Watched } from '../helpers/processes.ts';
import { runCli, type CliResult } from '../helpers/run-cli.ts';
import { testDatabaseUrl, testRedisUrl } from '../helpers/test-orm.ts';

/**
 * `mailroom doctor` through the real CLI process: the shared PostgreSQL and Redis are healthy;
 * broken set-ups are a port nothing listens on, an empty database, and private Redis servers
 * started here with an evicting policy or with CONFIG disabled (the shared one is never touched).
 */
interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

const env = () => ({
  DATABASE_URL: testDatabaseUrl(),
  REDIS_URL: testRedisUrl(),
  MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
});

function report(result: CliResult): Report {
  // One JSON document on stdout whatever the outcome; nothing else.
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout) as Report;
}

const check = (r: Report, name: string) => r.checks.find((c) => c.name === name);
const failed = (r: Report) => r.checks.filter((c) => !c.ok).map((c) => c.name);

const servers: Watched[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => stop(s)));
});

describe('mailroom doctor', () => {
  it('healthy: every check passes, exit 0, one line of detail each', async () => {
    const result = await runCli(['doctor'], {
      ...env(),
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      MAILROOM_TRACKING_KEYS: `1:${randomBytes(32).toString('base64')}`,
    });
    const r = report(result);
    expect(result.code).toBe(0);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'config',
      'database',
      'migrations',
      'redis',
      'redis-eviction-policy',
      'google',
      'microsoft',
      'tracking-keys',
    ]);
    for (const c of r.checks) {
      expect(c.ok, c.name).toBe(true);
      expect(c.detail, c.name).toMatch(/^[^\n]+$/);
    }
    expect(check(r, 'google')?.detail).toMatch(/^configured: /);
    expect(check(r, 'microsoft')?.detail).toMatch(/^not configured/);
    expect(check(r, 'tracking-keys')?.detail).toContain('1 key(s), signing with id 1');
  });

  it('a wrong DATABASE_URL fails the database check with one line, and exit 1', async () => {
    const port = await freePort();
    const result = await runCli(['doctor'], {
      ...env(),
      DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${String(port)}/mailroom`,
    });
    const r = report(result);
    expect(result.code).toBe(1);
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual(['database', 'migrations']);
    const database = check(r, 'database');
    expect(database?.detail).toMatch(/^PostgreSQL does not answer at DATABASE_URL=.*ECONNREFUSED/);
    expect(database?.detail).not.toContain('\n');
    expect(database?.detail).not.toContain('hunter2');
    expect(check(r, 'migrations')?.detail).toBe('not checked: the database check failed');
  });

  it('an empty database fails the migrations check', async () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = `/doctor_${randomUUID().replaceAll('-', '')}`;
    await createDatabaseIfMissing(url.toString());
    try {
      const result = await runCli(['doctor'], { ...env(), DATABASE_URL: url.toString() });
      const r = report(result);
      expect(result.code).toBe(1);
      expect(failed(r)).toEqual(['migrations']);
      expect(check(r, 'migrations')?.detail).toMatch(/is not migrated: run `npm run migrate`/);
    } finally {
      await dropDatabase(url.toString());
    }
  });

  it('a configuration that does not parse fails the config check and checks nothing else', async () => {
    const result = await runCli(['doctor'], { ...env(), MAILROOM_METRICS: 'sometimes' });
    const r = report(result);
    expect(result.code).toBe(1);
    expect(check(r, 'config')).toMatchObject({ ok: false });
    expect(check(r, 'config')?.detail).toContain('MAILROOM_METRICS');
    expect(r.checks.filter((c) => c.name !== 'config').every((c) => !c.ok)).toBe(true);
  });

  it('an evicting Redis fails the policy check; a Redis that refuses CONFIG fails it as unknown', async () => {
    const evictingPort = await freePort();
    servers.push(await startRedis(evictingPort, ['--maxmemory-policy', 'allkeys-lru']));
    const evicting = report(
      await runCli(['doctor'], {
        ...env(),
        REDIS_URL: `redis://127.0.0.1:${String(evictingPort)}`,
      }),
    );
    expect(failed(evicting)).toEqual(['redis-eviction-policy']);
    expect(check(evicting, 'redis-eviction-policy')?.detail).toMatch(
      /^maxmemory-policy is allkeys-lru: set it to noeviction/,
    );

    const lockedPort = await freePort();
    servers.push(await startRedis(lockedPort, ['--rename-command', 'CONFIG', '']));
    const locked = report(
      await runCli(['doctor'], { ...env(), REDIS_URL: `redis://127.0.0.1:${String(lockedPort)}` }),
    );
    expect(failed(locked)).toEqual(['redis-eviction-policy']);
    expect(check(locked, 'redis-eviction-policy')?.detail).toMatch(
      /^unknown: CONFIG GET was refused/,
    );
  });

  it('a Redis that does not answer fails the redis check', async () => {
    const port = await freePort();
    const r = report(
      await runCli(['doctor'], { ...env(), REDIS_URL: `redis://127.0.0.1:${String(port)}` }),
    );
    expect(failed(r)).toEqual(['redis', 'redis-eviction-policy']);
    expect(check(r, 'redis')?.detail).toMatch(/Redis is unreachable at REDIS_URL=/);
  });

  it('a provider with a client id but no secret fails its check', async () => {
    const r = report(await runCli(['doctor'], { ...env(), MICROSOFT_CLIENT_ID: 'id' }));
    expect(failed(r)).toEqual(['microsoft']);
    expect(check(r, 'microsoft')?.detail).toBe(
      'half configured: MICROSOFT_CLIENT_SECRET is missing',
    );
  });
});
