import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { KNEX_LOG, toStderr } from './orm-options.ts';

/**
 * Database-level operations run from the server's `postgres` maintenance database: creating the
 * database `migrate` needs, and dropping the throwaway ones tests and benchmarks make.
 */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) {
    throw new Error('DATABASE_URL names no database');
  }
  return name;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function withMaintenanceConnection<T>(
  databaseUrl: string,
  run: (em: EntityManager) => Promise<T>,
): Promise<T> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const orm = await MikroORM.init({
    clientUrl: admin.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    allowGlobalContext: true,
    pool: { min: 0, max: 1 },
    logger: toStderr,
    driverOptions: { log: KNEX_LOG },
  });
  try {
    return await run(orm.em);
  } finally {
    await orm.close(true);
  }
}

/** Creates the database if it does not exist. Safe to race: a concurrent creator wins quietly. */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return withMaintenanceConnection(databaseUrl, async (em) => {
    const rows = await em.execute<{ exists: boolean }[]>(
      'select exists(select 1 from pg_database where datname = ?) as exists',
      [name],
    );
    if (rows[0]?.exists) {
      return false;
    }
    try {
      await em.execute(`create database ${quoteIdent(name)}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') {
        throw err;
      }
      return false;
    }
    return true;
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await withMaintenanceConnection(databaseUrl, async (em) => {
    await em.execute(`drop database if exists ${quoteIdent(name)} with (force)`);
  });
}
