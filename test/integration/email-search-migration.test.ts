import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { databaseMigratedTo } from '../helpers/migrated-to.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

/**
 * Migration20261202080000_email_search_html on emails stored before it: they get an empty HTML
 * body and a `search` document built in SQL from subject, participants and body text.
 */
const BEFORE = 'Migration20261202070000_api_keys';

let db: Awaited<ReturnType<typeof databaseMigratedTo>>;
let orm: Orm;

beforeAll(async () => {
  db = await databaseMigratedTo(BEFORE);
  ({ orm } = db);
});

afterAll(async () => {
  await db.drop();
});

const sql = <T extends object>(query: string, params: unknown[] = []) =>
  orm.em.fork().execute<T[]>(query, params);

it('fills search for existing emails from SQL, and leaves their HTML body empty', async () => {
  const ws = await createWorkspace(orm);
  const mb = await createMailbox(orm, ws, 'rep@northwind.com');
  const id = randomUUID();
  await sql(
    `insert into email (id, workspace_id, mailbox_id, provider_message_id, logical_key, thread_key,
       direction, subject, text_body)
     values (?, ?, ?, 'p-1', 'k-1', 'k-1', 'inbound', 'Angebot Sommer', 'Beste Grüße aus Köln')`,
    [id, ws, mb],
  );
  await sql(
    `insert into email_participant (email_id, workspace_id, role, address, display_name, position,
       linkable)
     values (?, ?, 'from', 'jane.doe@acme-corp.com', 'Jane Doe', 0, true)`,
    [id, ws],
  );
  await orm.migrator.up();
  const matches = async (q: string) => {
    const rows = await sql<{ id: string }>(
      `select id from email where search @@ websearch_to_tsquery('simple', ?)`,
      [q],
    );
    return rows.map((r) => r.id);
  };
  for (const q of ['angebot', 'grüße', 'köln', 'jane doe', 'jane.doe@acme-corp.com', 'acme']) {
    expect(await matches(q), q).toEqual([id]);
  }
  expect(await matches('winter')).toEqual([]);
  const [row] = await sql<{ html_body: string; html_body_truncated: boolean; w: string }>(
    `select html_body, html_body_truncated, search::text as w from email where id = ?`,
    [id],
  );
  expect(row).toMatchObject({ html_body: '', html_body_truncated: false });
  // Subject words weigh A, names and addresses B, body C.
  expect(row?.w).toMatch(/'angebot':1A/);
  expect(row?.w).toMatch(/'jane':\d+B/);
  expect(row?.w).toMatch(/'köln':\d+C/);
});
