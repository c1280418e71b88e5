import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Orm } from '../../src/db/orm.ts';
import { waitFor } from './wait-for.ts';

const WORKER = fileURLToPath(new URL('./sync-worker-process.ts', import.meta.url));

/** How many emails the mailbox has stored. */
export async function storedEmails(orm: Orm, mailboxId: string): Promise<number> {
  const rows = await orm.em
    .fork()
    .execute<{ n: string }[]>('select count(*) as n from email where mailbox_id = ?', [mailboxId]);
  return Number(rows[0]?.n);
}

/**
 * Starts a worker process on the test's queue, kills it with SIGKILL once the mailbox has at least
 * `atLeast` emails stored (the worker died mid-job, holding its lock), and returns how many it has.
 */
export async function killWorkerMidSync(
  orm: Orm,
  env: Record<string, string>,
  mailboxId: string,
  atLeast: number,
): Promise<number> {
  const child = spawn(process.execPath, [WORKER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: 'ignore',
  });
  try {
    await waitFor(
      async () => (await storedEmails(orm, mailboxId)) >= atLeast,
      `${atLeast} emails stored`,
    );
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  return storedEmails(orm, mailboxId);
}
