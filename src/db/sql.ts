import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';

/**
 * The two helpers every repository in `src/db/` uses for hand-written SQL. Nothing outside
 * `src/db/` runs SQL: callers get typed functions, never a statement.
 */

/**
 * A jsonb parameter: bulk writes send one JSON array and unpack it with `jsonb_to_recordset`, so a
 * batch of any size is one statement with one bound parameter.
 */
export const jsonb = (value: unknown): string => JSON.stringify(value);

/** Any EntityManager or transaction an SQL statement can run on. */
export type Db = Pick<EntityManager, 'execute'>;

/**
 * Runs a statement and checks every returned row against `row`, so a column renamed in a
 * migration fails loudly here instead of flowing on as `undefined`.
 */
export async function queryRows<S extends z.ZodType>(
  db: Db,
  row: S,
  sql: string,
  params: readonly unknown[] = [],
): Promise<z.infer<S>[]> {
  const rows = await db.execute<unknown[]>(sql, [...params]);
  return rows.map((r) => row.parse(r));
}

/** `queryRows` for a statement that returns at most one row. */
export async function queryRow<S extends z.ZodType>(
  db: Db,
  row: S,
  sql: string,
  params: readonly unknown[] = [],
): Promise<z.infer<S> | null> {
  const rows = await queryRows(db, row, sql, params);
  return rows[0] ?? null;
}

/** Runs a statement for its effect. */
export async function run(db: Db, sql: string, params: readonly unknown[] = []): Promise<void> {
  await db.execute(sql, [...params]);
}
