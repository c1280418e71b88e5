import { parseConfig, type Config } from '../src/config.ts';
import { initORM } from '../src/db/orm.ts';
import { createLogger } from '../src/logger.ts';
import { runSyncNow } from '../src/app/run-sync-now.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv, startBenchGmail } from './bench-gmail.ts';
import { round } from './parse-baseline.ts';
import { benchEnv, connectBenchMailbox } from './time-first-sync.ts';

/**
 * `gmail-faults`: a first sync of N messages while a share of the message fetches (`--fault-rate`,
 * 0.3 by default) is answered 429 with `Retry-After: --retry-after` seconds (10 by default), which
 * is longer than a call waits in place, so the job yields to the rate limit each time. What it
 * measures is wasted work: `fetchesPerMessage` counts the fetches the emulator answered with the
 * message (refetches of mail already fetched once show up here), `requestsPerMessage` adds the
 * throttled ones. With `--deadline S` it reports what was stored after S seconds instead of
 * waiting for the end.
 */

export interface GmailFaultsOptions {
  messages: number;
  faultRate: number;
  retryAfterSeconds: number;
  deadlineSeconds: number;
}

export async function benchGmailFaults(
  base: Config,
  opts: GmailFaultsOptions,
): Promise<Record<string, unknown>> {
  const emulator = await startBenchGmail({ messages: opts.messages, seed: 13 });
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const config = parseConfig({
        ...benchEnv(base, dbUrl),
        ...benchGmailEnv(emulator.url),
        MAILROOM_GMAIL_QUOTA: 'off',
      });
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
          status: 429,
          retryAfterSeconds: opts.retryAfterSeconds,
          probability: opts.faultRate,
          count: Number.MAX_SAFE_INTEGER,
        });
        const start = performance.now();
        const sync = runSyncNow(config, orm, createLogger('silent'), mailboxId).then(
          () => 'done' as const,
        );
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'deadline'>((resolve) => {
          timer = setTimeout(() => {
            resolve('deadline');
          }, opts.deadlineSeconds * 1000);
        });
        const outcome = await Promise.race([sync, deadline]);
        clearTimeout(timer);
        const seconds = (performance.now() - start) / 1000;
        const rows = await orm.em
          .fork()
          .execute<{ n: string }[]>('select count(*) as n from email where mailbox_id = ?', [
            mailboxId,
          ]);
        const stored = Number(rows[0]?.n ?? 0);
        const requests = (await emulator.stats()).byMethod['messages.get'] ?? 0;
        const throttled = await emulator.faultsFired();
        return {
          scenario: 'gmail-faults',
          messages: opts.messages,
          faultRate: opts.faultRate,
          retryAfterSeconds: opts.retryAfterSeconds,
          finished: outcome === 'done',
          stored,
          seconds: round(seconds),
          fetchesPerMessage: round((requests - throttled) / opts.messages),
          requestsPerMessage: round(requests / opts.messages),
          rateLimited: throttled,
        };
      } finally {
        await orm.close(true);
      }
    });
  } finally {
    await emulator.close();
  }
}
