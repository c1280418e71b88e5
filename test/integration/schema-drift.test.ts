import { expect, it } from 'vitest';
import { openTestOrm } from '../helpers/test-orm.ts';

/**
 * The migrations are the schema; the MikroORM entities must describe the same columns. MikroORM's
 * diff also reports what entities cannot express (foreign keys, CHECK constraints, partial indexes,
 * identity columns), so only column-level differences count as drift here.
 */
it('entities and migrations agree on every table and column', async () => {
  const orm = await openTestOrm();
  try {
    const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: true, dropTables: false });
    const drift = sql
      .split('\n')
      .filter((line) => /create table|add column|drop column|alter column/i.test(line))
      // CHECK-constrained text columns are reported as a no-op retype; identity vs bigserial.
      .filter((line) => !/alter column "\w+" type text using \("\w+"::text\)/.test(line))
      .filter((line) => !/"outbox_event" add column "id" bigserial primary key/.test(line));
    expect(drift).toEqual([]);
  } finally {
    await orm.close(true);
  }
});
