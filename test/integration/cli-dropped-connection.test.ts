import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabaseIfMissing, dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initORM } from '../../src/db/orm.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { startGmailHarness, type GmailHarness } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { connectViaCli, runCli } from '../helpers/run-cli.ts';
import { testDatabaseUrl } from '../helpers/test-orm.ts';

/**
 * "A dropped database connection prints `Connection Error: …` lines on stdout before the JSON"
 * (issue 10): the query builder under the ORM (knex) reports a pooled connection the server
 * dropped with `console.log`. The CLI's stdout carries exactly one JSON document, always. The
 * CLI's database is one of its own, so its sessions can be terminated while `sync` waits on a
 * held Gmail fetch, with its connections idle in the pool.
 */
let url: string;
let h: GmailHarness;

beforeAll(async () => {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/mailroom_test_drop_${randomBytes(4).toString('hex')}`;
  url = u.toString();
  await createDatabaseIfMissing(url);
  await migrate(url);
  // Calendar off: only the mail job runs, and it is parked on the held fetch.
  h = await startGmailHarness({}, { DATABASE_URL: url, MAILROOM_CALENDAR_SYNC: 'off' });
});

afterAll(async () => {
  await h.close();
  await dropDatabase(url);
});

async function until(what: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await ready()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

it('keeps stdout to one JSON document when the database drops the CLI connections', async () => {
  const email = 'drop.rep@northwind.com';
  h.emulator.store.user(email);
  for (let i = 0; i < 3; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({ from: `C${String(i)} <c${String(i)}@cust.com>`, to: [email] }),
    );
  }
  const { mb } = await connectViaCli(
    h.env,
    { name: 'Drop', domain: 'northwind.com' },
    { email, refreshToken: h.emulator.auth.issueRefreshToken(email) },
  );

  // The first message fetch is held; meanwhile the server terminates the CLI's sessions.
  const fired = injectFaults(h.emulator.faults, {
    path: '^/gmail/v1/users/[^/]+/messages/[^/]+$',
    delayMs: 8000,
    count: 1,
  });
  const run = runCli(['sync', '--mailbox', mb], h.env);
  await until('the fetch to be held', () => fired() === 1);
  const admin = await initORM(url);
  let terminated: number;
  try {
    const rows = await admin.em.fork().execute<{ n: string }[]>(
      `select count(*) filter (where pg_terminate_backend(pid)) as n
         from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    terminated = Number(rows[0]?.n ?? 0);
  } finally {
    await admin.close(true);
  }
  expect(terminated).toBeGreaterThan(0);

  const result = await run;
  // stdout: the summary and nothing else (a failure would leave it empty).
  const parsed = result.stdout.trim() === '' ? null : (JSON.parse(result.stdout) as unknown);
  expect(parsed).toMatchObject({ fetched: 3 });
  // The drop was noticed and reported, on stderr.
  expect(result.stderr).toMatch(/Connection Error/);
});
