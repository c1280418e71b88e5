import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { parseConfig } from '../../src/config.ts';
import { dropDatabase } from '../../src/db/create-database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { initORM, type Orm } from '../../src/db/orm.ts';
import { findMailbox } from '../../src/db/repositories/mailbox.repository.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { createWorkspace } from '../../src/workspaces/create-workspace.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { json, runCli } from '../helpers/run-cli.ts';
import { testDatabaseUrl } from '../helpers/test-orm.ts';

/**
 * A wrong MAILROOM_ENCRYPTION_KEY is a configuration error (one line, no retry, mailbox untouched),
 * old keys open secrets during a rotation, and `keys:rotate` re-seals them. `keys:rotate` touches
 * every stored secret, so this file has a database of its own.
 */
const dbUrl = (() => {
  const url = new URL(testDatabaseUrl());
  url.pathname = `${url.pathname}_keys_${randomBytes(3).toString('hex')}`;
  return url.toString();
})();

const key = () => randomBytes(32).toString('base64');
const keyA = key();
const keyB = key();

let orm: Orm;
beforeAll(async () => {
  await migrate(dbUrl);
  orm = await initORM(dbUrl);
});
afterAll(async () => {
  await orm.close(true);
  await dropDatabase(dbUrl);
});

it.override('gmailEnv', { scope: 'file' }, { DATABASE_URL: dbUrl, MAILROOM_ENCRYPTION_KEY: keyB });

/** A pino logger into an array: every line the worker writes, parsed. */
function captureLog(): { log: pino.Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const log = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line) as { level: number; msg: string });
      },
    },
  );
  return { log, lines };
}

let mailboxId = '';

it('a secret sealed with another key stops each job with one line and leaves the mailbox as it was', async ({
  gmail: h,
}) => {
  const email = 'keys.rep@northwind.com';
  h.emulator.store.user(email);
  for (let i = 0; i < 3; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({ from: `K${i} <k${i}@cust.com>`, to: [email], messageId: `<keys${i}@x>` }),
    );
  }
  const workspaceId = await createWorkspace(orm.em.fork(), {
    name: 'Keys',
    internalDomains: ['northwind.com'],
    blocklist: [],
  });
  mailboxId = await connectMailbox(orm.em.fork(), new SecretBox(keyA), {
    workspaceId,
    provider: 'google',
    email,
    refreshToken: h.emulator.auth.issueRefreshToken(email),
    aliases: [],
    autoCreatePolicy: undefined,
  });
  const before = await findMailbox(orm.em.fork(), mailboxId);

  const { log, lines } = captureLog();
  await expect(runSyncNow(h.config, orm, log, mailboxId)).rejects.toThrow(
    /mailbox-sync failed: MAILROOM_ENCRYPTION_KEY cannot open a stored secret: it was sealed with unknown key/,
  );

  const after = await findMailbox(orm.em.fork(), mailboxId);
  expect(after?.status).toBe(before?.status);
  expect(after?.lastError).toBe(before?.lastError);
  // One error line per job (mail and calendar), and no "job failed" retries before it.
  const problems = lines.filter((l) => l.level >= 40);
  expect(problems.map((l) => l.level)).toEqual([50, 50]);
  for (const line of problems) {
    expect(line.msg).toMatch(
      /^MAILROOM_ENCRYPTION_KEY .*MAILROOM_ENCRYPTION_KEYS_OLD.*without retrying/,
    );
  }

  const cli = await runCli(['sync', '--mailbox', mailboxId], h.env);
  expect(cli.code).not.toBe(0);
  expect(cli.stdout).toBe('');
  expect(cli.stderr.trim().split('\n')).toHaveLength(1);
  expect(cli.stderr).toMatch(/MAILROOM_ENCRYPTION_KEY/);
});

it('with the old key in MAILROOM_ENCRYPTION_KEYS_OLD the mailbox syncs', async ({ gmail: h }) => {
  const config = parseConfig({ ...h.env, MAILROOM_ENCRYPTION_KEYS_OLD: `${key()}, ${keyA}` });
  const { log } = captureLog();
  const summary = await runSyncNow(config, orm, log, mailboxId);
  expect(summary.status).toBe('active');
  // Counted in the database, not in the summary: a job redelivered under load fetches nothing new.
  expect((await mailboxStatus(orm.em.fork(), mailboxId)).counts.emails).toBe(3);
});

it('keys:rotate re-seals every secret with the current key; the old key is then not needed', async ({
  gmail: h,
}) => {
  const wrong = await runCli(['keys:rotate'], { ...h.env, MAILROOM_ENCRYPTION_KEY: key() });
  expect(wrong.code).not.toBe(0);
  expect(wrong.stdout).toBe('');
  expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
  expect(wrong.stderr).toMatch(/keys:rotate changed nothing: 1 stored secret/);

  const withOld = { ...h.env, MAILROOM_ENCRYPTION_KEYS_OLD: keyA };
  expect(json(await runCli(['keys:rotate'], withOld))).toEqual({
    resealed: 1,
    alreadyCurrent: 0,
  });
  expect(json(await runCli(['keys:rotate'], withOld))).toEqual({
    resealed: 0,
    alreadyCurrent: 1,
  });
  const stored = (await findMailbox(orm.em.fork(), mailboxId))?.credentials ?? '';
  expect(new SecretBox(keyB).needsRotation(stored)).toBe(false);

  // Key B alone now opens it: the sync runs (incremental, nothing new to fetch).
  const synced = json<{ status: string }>(await runCli(['sync', '--mailbox', mailboxId], h.env));
  expect(synced.status).toBe('active');
});
