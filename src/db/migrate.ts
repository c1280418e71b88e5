import { createDatabaseIfMissing } from './create-database.ts';
import { initORM } from './orm.ts';
import { DEFAULT_DB_TIMEOUTS } from './session-timeouts.ts';

/**
 * Creates the database if needed and applies pending migrations; returns their names. A
 * migration may rewrite a large table, so no statement timeout; the lock timeout stays, so a
 * migration waiting behind busy workers fails instead of queueing every query behind it.
 */
export async function migrate(databaseUrl: string): Promise<string[]> {
  await createDatabaseIfMissing(databaseUrl);
  const orm = await initORM(databaseUrl, { ...DEFAULT_DB_TIMEOUTS, statementTimeoutMs: 0 });
  try {
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
