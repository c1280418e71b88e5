import { MikroORM } from '@mikro-orm/postgresql';
import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import { MailroomError } from '../errors.ts';
import { withoutCredentials } from '../security/url-credentials.ts';
import { databaseName } from './create-database.ts';
import { classifyDbError } from './db-error.ts';
import { MIGRATIONS_DIR, ormOptions } from './orm-options.ts';
import type { DbTimeouts } from './session-timeouts.ts';
import { queryRow, queryRows } from './sql.ts';

export type Orm = MikroORM;

/** The database is missing or not migrated: every process but `migrate` stops with this line. */
export class DatabaseNotReadyError extends MailroomError {
  override readonly name = 'DatabaseNotReadyError';
  constructor(message: string) {
    super('DATABASE_NOT_READY', message);
  }
}

/**
 * Opens the ORM (connection pool); callers fork an EntityManager per command, job or request.
 * It never creates the database (only `migrate` does) and does not check the schema: processes
 * open theirs with `openMigratedORM`.
 */
export async function initORM(databaseUrl: string, timeouts?: DbTimeouts): Promise<Orm> {
  return MikroORM.init(ormOptions(databaseUrl, {}, timeouts));
}

/** `initORM`, then one clear error unless the database exists and has every migration applied. */
export async function openMigratedORM(databaseUrl: string, timeouts?: DbTimeouts): Promise<Orm> {
  const orm = await initORM(databaseUrl, timeouts);
  try {
    await assertMigrated(orm, databaseUrl);
  } catch (err) {
    await orm.close(true);
    throw err;
  }
  return orm;
}

const firstLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/** Migration names as MikroORM records them: the migration files' names without extension. */
async function migrationNames(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => f.slice(0, -3));
}

/** Fails with one `DatabaseNotReadyError` line unless every migration is applied (`doctor` too). */
export async function assertMigrated(orm: Orm, databaseUrl: string): Promise<void> {
  const em = orm.em.fork();
  const name = databaseName(databaseUrl);
  const hint = 'run `npm run migrate`';
  let present: { present: boolean } | null;
  try {
    present = await queryRow(
      em,
      z.object({ present: z.boolean() }),
      "select to_regclass('mikro_orm_migrations') is not null as present",
    );
  } catch (err) {
    // 3D000 invalid_catalog_name: the database does not exist (a mistyped DATABASE_URL?).
    if ((err as { code?: unknown }).code === '3D000') {
      throw new DatabaseNotReadyError(
        `database "${name}" does not exist: check DATABASE_URL, or ${hint} to create it`,
      );
    }
    // The server does not answer: name the setting, not the driver's stack.
    if (classifyDbError(err) === 'transient') {
      throw new DatabaseNotReadyError(
        `PostgreSQL is unreachable at DATABASE_URL=${withoutCredentials(databaseUrl)} (${firstLine(err)})`,
      );
    }
    throw err;
  }
  if (!present?.present) {
    throw new DatabaseNotReadyError(`database "${name}" is not migrated: ${hint}`);
  }
  const applied = new Set(
    (
      await queryRows(em, z.object({ name: z.string() }), 'select name from mikro_orm_migrations')
    ).map((r) => r.name),
  );
  const pending = (await migrationNames()).filter((m) => !applied.has(m));
  if (pending.length > 0) {
    throw new DatabaseNotReadyError(
      `database "${name}" lacks ${String(pending.length)} migration(s): ${hint}`,
    );
  }
}
