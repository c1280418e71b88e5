import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../src/config.ts';
import { initORM, type Orm } from '../src/db/orm.ts';
import { createLogger } from '../src/logger.ts';
import { runSyncNow } from '../src/app/run-sync-now.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv, startBenchGmail } from './bench-gmail.ts';
import { round } from './parse-baseline.ts';
import { benchEnv, connectBenchMailbox } from './time-first-sync.ts';

/**
 * `gmail-kills`: a first sync of N messages in `sync --mailbox` processes that are SIGKILLed
 * `--kills` times, each at some moment after another share of the mailbox is stored (a fixed
 * sequence of delays up to half a second, so runs compare), then finished. What it
 * measures is the work a crash throws away: `fetchesPerMessage` counts every message fetch the
 * emulator answered (1.0 would be no refetch at all). Fetches are slowed a little
 * (`--fetch-delay-ms`) so that kills land mid-backfill, as they would against a real provider.
 */
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

export interface GmailKillsOptions {
  messages: number;
  kills: number;
  fetchDelayMs: number;
}

export async function benchGmailKills(
  base: Config,
  opts: GmailKillsOptions,
): Promise<Record<string, unknown>> {
  const emulator = await startBenchGmail({ messages: opts.messages, seed: 17 });
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const env = {
        ...benchEnv(base, dbUrl),
        ...benchGmailEnv(emulator.url),
        MAILROOM_GMAIL_QUOTA: 'off',
        // A killed run's place in the queue is handed on after two lock periods.
        MAILROOM_JOB_LOCK_SECONDS: '2',
      };
      const config = parseConfig(env);
      const orm = await initORM(config.db.url);
      try {
        const mailboxId = await connectBenchMailbox(orm, config, {
          provider: 'google',
          email: OWNER,
          refreshToken: emulator.refreshToken,
        });
        await emulator.resetStats();
        await emulator.addFault({
          path: '^/gmail/v1/users/[^/]+/messages/[^/]+$',
          method: 'GET',
          delayMs: opts.fetchDelayMs,
          count: Number.MAX_SAFE_INTEGER,
        });
        const step = Math.max(1, Math.floor(opts.messages / (opts.kills + 1)));
        for (let k = 1; k <= opts.kills; k++) {
          await syncUntilKilled(orm, env, mailboxId, k * step);
        }
        await runSyncNow(config, orm, createLogger('silent'), mailboxId);
        const stored = await storedCount(orm, mailboxId);
        const fetches = (await emulator.stats()).byMethod['messages.get'] ?? 0;
        return {
          scenario: 'gmail-kills',
          messages: opts.messages,
          kills: opts.kills,
          stored,
          fetchesPerMessage: round(fetches / opts.messages),
          refetchedShare: round((fetches - opts.messages) / opts.messages),
        };
      } finally {
        await orm.close(true);
      }
    });
  } finally {
    await emulator.close();
  }
}

async function storedCount(orm: Orm, mailboxId: string): Promise<number> {
  const rows = await orm.em
    .fork()
    .execute<{ n: string }[]>('select count(*) as n from email where mailbox_id = ?', [mailboxId]);
  return Number(rows[0]?.n ?? 0);
}

/** Repeatable "random" delays (a fixed linear congruential sequence), so runs compare. */
let seed = 7;
function killDelay(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % 500;
}

/** `sync --mailbox` in its own process, SIGKILLed once `atLeast` messages are stored. */
async function syncUntilKilled(
  orm: Orm,
  env: Record<string, string>,
  mailboxId: string,
  atLeast: number,
): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'sync', '--mailbox', mailboxId], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: 'ignore',
  });
  const state = { exited: false };
  const exited = new Promise((resolve) => child.once('exit', resolve)).then(() => {
    state.exited = true;
  });
  while (!state.exited && (await storedCount(orm, mailboxId)) < atLeast) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // A crash does not wait for a commit: the kill lands at some point of the next half second.
  await new Promise((resolve) => setTimeout(resolve, killDelay()));
  child.kill('SIGKILL');
  await exited;
}
