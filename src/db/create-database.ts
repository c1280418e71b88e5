import { MikroORM } from '@mikro-orm/postgresql';

/**
 * Creates the database named in `databaseUrl` if it does not exist, by connecting to the server's
 * `postgres` maintenance database. Safe to race: a concurrent creator's duplicate error is ignored.
 */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) {
    throw new Error('DATABASE_URL names no database');
  }
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const orm = await MikroORM.init({
    clientUrl: admin.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: true,
    pool: { min: 0, max: 1 },
  });
  try {
    const rows = await orm.em.execute<{ exists: boolean }[]>(
      'select exists(select 1 from pg_database where datname = ?) as exists',
      [name],
    );
    if (rows[0]?.exists) {
      return false;
    }
    try {
      await orm.em.execute(`create database "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') {
        throw err;
      }
      return false;
    }
    return true;
  } finally {
    await orm.close(true);
  }
}
