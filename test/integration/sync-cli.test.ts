import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { startGmailHarness, type GmailHarness } from '../helpers/gmail-harness.ts';
import { json, runCli } from '../helpers/run-cli.ts';
import { openTestOrm } from '../helpers/test-orm.ts';

let orm: Orm;
let h: GmailHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  h = await startGmailHarness();
});

afterAll(async () => {
  await h.close();
  await orm.close(true);
});

it('mailbox:connect queues the first sync; sync runs it; a revoked grant fails with one line', async () => {
  const email = 'cli.rep@northwind.com';
  h.emulator.store.user(email);
  for (let i = 0; i < 5; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({ from: `C${i} <c${i}@cust.com>`, to: [email], messageId: `<cli${i}@x>` }),
    );
  }
  const refreshToken = h.emulator.auth.issueRefreshToken(email);
  const { id: ws } = json<{ id: string }>(
    await runCli(['workspace:create', '--name', 'CLI', '--domain', 'northwind.com'], h.env),
  );
  const { id: mb } = json<{ id: string }>(
    await runCli(
      [
        'mailbox:connect',
        '--workspace',
        ws,
        '--provider',
        'google',
        '--email',
        email,
        '--refresh-token',
        refreshToken,
      ],
      h.env,
    ),
  );
  const summary = json<{
    status: string;
    stage: string;
    fetched: number;
    counters: { peopleCreated: number };
  }>(await runCli(['sync', '--mailbox', mb], h.env));
  expect(summary).toMatchObject({
    status: 'active',
    stage: 'incremental',
    fetched: 5,
    counters: { peopleCreated: 5 },
  });
  const status = json<{
    status: string;
    backfill: { done: number; total: number };
    counts: { emails: number };
  }>(await runCli(['mailbox:status', '--mailbox', mb], h.env));
  expect(status).toMatchObject({
    status: 'active',
    backfill: { done: 5, total: 5 },
    counts: { emails: 5 },
  });

  h.emulator.auth.revokeUser(email);
  const failed = await runCli(['sync', '--mailbox', mb], h.env);
  expect(failed.code).not.toBe(0);
  expect(failed.stdout).toBe('');
  expect(failed.stderr.trim().split('\n')).toHaveLength(1);
  expect(failed.stderr).toMatch(/cli.rep@northwind.com needs to be reconnected/);
  const after = json<{ status: string }>(await runCli(['mailbox:status', '--mailbox', mb], h.env));
  expect(after.status).toBe('reauth_required');
});
