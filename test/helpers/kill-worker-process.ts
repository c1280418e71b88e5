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
  await stopWorkerMidSync(orm, env, mailboxId, atLeast, 'SIGKILL');
  return storedEmails(orm, mailboxId);
}

/**
 * Starts a worker process on the test's queue, sends it `signal` once the mailbox has at least
 * `atLeast` emails stored, and returns how the process ended. A process that has not ended within
 * `exitBoundMs` of the signal is killed and the wait fails: only a broken shutdown gets there.
 */
export async function stopWorkerMidSync(
  orm: Orm,
  env: Record<string, string>,
  mailboxId: string,
  atLeast: number,
  signal: 'SIGKILL' | 'SIGTERM',
  exitBoundMs = 90_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [WORKER], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, sig) => {
      resolve({ code, signal: sig });
    });
  });
  try {
    await waitFor(
      async () => (await storedEmails(orm, mailboxId)) >= atLeast,
      `${atLeast} emails stored`,
    );
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  child.kill(signal);
  const bound = setTimeout(() => {
    child.kill('SIGKILL');
  }, exitBoundMs);
  try {
    const end = await exited;
    if (signal !== 'SIGKILL' && end.signal === 'SIGKILL') {
      throw new Error(`the worker did not exit within ${exitBoundMs / 1000} s of ${signal}`);
    }
    return end;
  } finally {
    clearTimeout(bound);
  }
}
