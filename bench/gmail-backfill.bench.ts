import { parseConfig, type Config } from '../src/config.ts';
import { PER_USER_UNITS_PER_MINUTE, type QuotaRegime } from '../emulators/google/quota.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv, startBenchGmail } from './bench-gmail.ts';
import { parseOnlySeconds, peakRssMb, round } from './parse-baseline.ts';
import { benchEnv, timeFirstSync } from './time-first-sync.ts';

/**
 * `gmail-backfill`: a first sync of N generated messages from the Gmail emulator through the real
 * client, BullMQ and the whole pipeline. With `--quota old|new --quota-scale K` the emulator
 * enforces the per-user quota sped up K times, Mailroom's limiter is told the same ceiling, and
 * the figures add how close to the ceiling the backfill ran and how often it was throttled.
 */

export interface GmailBenchOptions {
  messages: number;
  quota: QuotaRegime | null;
  quotaScale: number;
}

export async function benchGmailBackfill(
  base: Config,
  opts: GmailBenchOptions,
): Promise<Record<string, unknown>> {
  const { emulator, url, generated } = await startBenchGmail({
    messages: opts.messages,
    seed: 7,
    quota: opts.quota ? { regime: opts.quota, scale: opts.quotaScale } : null,
  });
  const parseSeconds = await parseOnlySeconds(generated.map((m) => m.raw));
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const limit = opts.quota ? PER_USER_UNITS_PER_MINUTE[opts.quota] * opts.quotaScale : null;
      const config = parseConfig({
        ...benchEnv(base, dbUrl),
        ...benchGmailEnv(url),
        MAILROOM_GMAIL_QUOTA: opts.quota ?? 'off',
        // The emulator's window is a minute sped up K times; tell the limiter the same.
        MAILROOM_GMAIL_QUOTA_WINDOW_SECONDS: String(60 / opts.quotaScale),
      });
      const seconds = await timeFirstSync(
        config,
        {
          provider: 'google',
          email: OWNER,
          refreshToken: emulator.auth.issueRefreshToken(OWNER),
          expected: opts.messages,
        },
        () => {
          emulator.resetStats();
        },
      );
      const stats = emulator.stats;
      const messagesPerSecond = opts.messages / seconds;
      const parseOnly = opts.messages / parseSeconds;
      return {
        scenario: 'gmail-backfill',
        messages: opts.messages,
        seconds: round(seconds),
        messagesPerSecond: round(messagesPerSecond),
        parseOnlyMessagesPerSecond: round(parseOnly),
        efficiency: round(messagesPerSecond / parseOnly),
        apiRequests: stats.requests,
        quotaUnits: stats.quotaUnits,
        quotaUnitsPerMessage: round(stats.quotaUnits / opts.messages),
        peakRssMb: peakRssMb(),
        ...(limit
          ? {
              quota: opts.quota,
              quotaScale: opts.quotaScale,
              ceilingRatio: round(stats.enforcedUnits / seconds / (limit / 60)),
              throttledResponses: stats.throttled,
            }
          : {}),
      };
    });
  } finally {
    await emulator.app.close();
  }
}
