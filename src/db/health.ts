import type { Db } from './sql.ts';
import { run } from './sql.ts';

/** A round trip to PostgreSQL: `/healthz` answers only when the database does. */
export async function pingDatabase(db: Db): Promise<void> {
  await run(db, 'select 1');
}
