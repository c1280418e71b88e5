import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Orm } from '../../src/db/orm.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Starts `sync --mailbox` in its own process, kills it with SIGKILL once at least `atLeast`
 * messages are stored, and returns how many were. The caller then resumes and checks that nothing
 * was fetched twice or stored twice.
 */
export async function killSyncMidBackfill(
  orm: Orm,
  env: Record<string, string>,
  mailboxId: string,
  atLeast: number,
): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'sync', '--mailbox', mailboxId], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: 'ignore',
  });
  const count = async () =>
    Number(
      (
        await orm.em
          .fork()
          .execute<{ n: string }[]>('select count(*) as n from email where mailbox_id = ?', [
            mailboxId,
          ])
      )[0]?.n,
    );
  for (let i = 0; i < 400 && (await count()) < atLeast; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return count();
}
