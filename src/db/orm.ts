import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-options.ts';

export type Orm = MikroORM;

/** Opens the ORM (connection pool); callers fork an EntityManager per command, job or request. */
export async function initORM(databaseUrl: string): Promise<Orm> {
  return MikroORM.init(ormOptions(databaseUrl));
}
