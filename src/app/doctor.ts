import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../config.ts';
import { databaseName } from '../db/create-database.ts';
import { pingDatabase } from '../db/health.ts';
import { assertMigrated, initORM, type Orm } from '../db/orm.ts';
import { errorLine } from '../error-line.ts';
import { createRedis } from '../queue/queues.ts';
import { producerReady } from '../queue/redis-unavailable.ts';
import { withoutCredentials } from '../security/url-credentials.ts';

/**
 * `mailroom doctor`: what an operator checks before (or instead of) starting the processes. Each
 * check is one line of detail; a check that cannot run because an earlier one failed says so.
 * Every check is bounded, so a silent host fails the check instead of hanging the command.
 */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

const CHECK_TIMEOUT_MS = 5_000;

export async function runDoctor(): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let config: Config;
  try {
    config = await loadConfig();
    checks.push({ name: 'config', ok: true, detail: 'the environment parses' });
  } catch (err) {
    checks.push({ name: 'config', ok: false, detail: errorLine(err) });
    for (const name of ['database', 'migrations', 'redis', 'redis-eviction-policy']) {
      checks.push({ name, ok: false, detail: 'not checked: the configuration does not parse' });
    }
    return report(checks);
  }
  checks.push(...(await databaseChecks(config)));
  checks.push(...(await redisChecks(config)));
  checks.push(...providerChecks(config));
  checks.push(trackingCheck(config));
  return report(checks);
}

function report(checks: DoctorCheck[]): DoctorReport {
  return { ok: checks.every((c) => c.ok), checks };
}

async function databaseChecks(config: Config): Promise<DoctorCheck[]> {
  const where = `DATABASE_URL=${withoutCredentials(config.db.url)}`;
  let orm: Orm | null = null;
  try {
    orm = await bounded(initORM(config.db.url, config.db.timeouts));
    const opened = orm;
    await bounded(pingDatabase(opened.em.fork()));
  } catch (err) {
    const detail =
      (err as { code?: unknown }).code === '3D000'
        ? `database "${databaseName(config.db.url)}" does not exist at ${where}: run \`npm run migrate\` to create it`
        : `PostgreSQL does not answer at ${where} (${errorLine(err)})`;
    await orm?.close(true);
    return [
      { name: 'database', ok: false, detail },
      { name: 'migrations', ok: false, detail: 'not checked: the database check failed' },
    ];
  }
  const database: DoctorCheck = {
    name: 'database',
    ok: true,
    detail: `PostgreSQL answers at ${where}`,
  };
  try {
    await bounded(assertMigrated(orm, config.db.url));
    return [database, { name: 'migrations', ok: true, detail: 'every migration is applied' }];
  } catch (err) {
    return [database, { name: 'migrations', ok: false, detail: errorLine(err) }];
  } finally {
    await orm.close(true);
  }
}

async function redisChecks(config: Config): Promise<DoctorCheck[]> {
  const where = `REDIS_URL=${withoutCredentials(config.redis.url)}`;
  const connection: Redis = createRedis(config, 'producer');
  try {
    try {
      await bounded(producerReady(connection, config.redis.url));
      await bounded(connection.ping());
    } catch (err) {
      return [
        { name: 'redis', ok: false, detail: errorLine(err) },
        {
          name: 'redis-eviction-policy',
          ok: false,
          detail: 'not checked: Redis does not answer',
        },
      ];
    }
    const redis: DoctorCheck = { name: 'redis', ok: true, detail: `Redis answers at ${where}` };
    return [redis, await evictionPolicy(connection)];
  } finally {
    connection.disconnect();
  }
}

/**
 * BullMQ needs `maxmemory-policy noeviction`: an evicting Redis silently drops queued jobs and
 * locks. A managed Redis may refuse CONFIG; then the policy is unknown, and that fails the check
 * with the reason, since the operator must confirm it another way.
 */
async function evictionPolicy(connection: Redis): Promise<DoctorCheck> {
  const name = 'redis-eviction-policy';
  try {
    const reply = (await bounded(connection.config('GET', 'maxmemory-policy'))) as string[];
    const policy = reply[1];
    if (policy === undefined) {
      return { name, ok: false, detail: 'unknown: CONFIG GET maxmemory-policy returned nothing' };
    }
    return policy === 'noeviction'
      ? { name, ok: true, detail: 'maxmemory-policy is noeviction' }
      : {
          name,
          ok: false,
          detail: `maxmemory-policy is ${policy}: set it to noeviction, or Redis may drop queued jobs`,
        };
  } catch (err) {
    return {
      name,
      ok: false,
      detail: `unknown: CONFIG GET was refused (${errorLine(err)}); make sure maxmemory-policy is noeviction`,
    };
  }
}

/**
 * Which providers are configured, with the endpoints they use. Neither is required (`ingest:eml`
 * needs none); a client id without its secret, or the reverse, is a half-made setup and fails.
 */
function providerChecks(config: Config): DoctorCheck[] {
  const google = config.google;
  const microsoft = config.microsoft;
  return [
    provider('google', google.clientId, google.clientSecret, 'GOOGLE', [
      `API ${google.apiRootUrl ?? "Google's default"}`,
      `token ${google.tokenUrl}`,
    ]),
    provider('microsoft', microsoft.clientId, microsoft.clientSecret, 'MICROSOFT', [
      `Graph ${microsoft.graphUrl}`,
      `login ${microsoft.loginUrl} (tenant ${microsoft.tenant})`,
    ]),
  ];
}

function provider(
  name: string,
  clientId: string | undefined,
  clientSecret: string | undefined,
  prefix: string,
  endpoints: string[],
): DoctorCheck {
  if (clientId && clientSecret) {
    return { name, ok: true, detail: `configured: ${endpoints.join(', ')}` };
  }
  if (!clientId && !clientSecret) {
    return {
      name,
      ok: true,
      detail: `not configured (${prefix}_CLIENT_ID, ${prefix}_CLIENT_SECRET)`,
    };
  }
  const missing = clientId ? `${prefix}_CLIENT_SECRET` : `${prefix}_CLIENT_ID`;
  return { name, ok: false, detail: `half configured: ${missing} is missing` };
}

/** Informational: without keys, sent mail is not tracked (never a failure). */
function trackingCheck(config: Config): DoctorCheck {
  const [current, ...old] = config.tracking.keys;
  return {
    name: 'tracking-keys',
    ok: true,
    detail: current
      ? `${String(old.length + 1)} key(s), signing with id ${String(current.id)}`
      : 'none: sent mail is not tracked (MAILROOM_TRACKING_KEYS)',
  };
}

async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${String(CHECK_TIMEOUT_MS / 1000)} s`));
    }, CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
