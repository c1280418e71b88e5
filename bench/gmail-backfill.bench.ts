import { parseConfig, type Config } from '../src/config.ts';
import { PER_USER_UNITS_PER_MINUTE, type QuotaRegime } from '../emulators/google/quota.ts';
import { withBenchDatabase } from './bench-database.ts';
import { BENCH_OWNER as OWNER, benchGmailEnv, startBenchGmail } from './bench-gmail.ts';
import { peakRssMb, round } from './parse-baseline.ts';
import { benchEnv, timeFirstSync } from './time-first-sync.ts';

/**
 * `gmail-backfill`: a first sync of N generated messages from the Gmail emulator through the real
 * client, BullMQ and the whole pipeline. With `--quota old|new --quota-scale K` the emulator
 * enforces the per-user quota sped up K times, Mailroom's limiter is told the same ceiling, and
 * the figures add how close to the ceiling the backfill ran and how often it was throttled.
 * The emulator runs in a process of its own (bench-gmail.ts): `peakRssMb` is Mailroom's (this
 * process, parse workers included, as they are threads), `emulatorPeakRssMb` the emulator's.
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
  const emulator = await startBenchGmail({
    messages: opts.messages,
    seed: 7,
    quota: opts.quota ? { regime: opts.quota, scale: opts.quotaScale } : null,
  });
  try {
    const parseSeconds = await emulator.parseOnlySeconds();
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const limit = opts.quota ? PER_USER_UNITS_PER_MINUTE[opts.quota] * opts.quotaScale : null;
      const config = parseConfig({
        ...benchEnv(base, dbUrl),
        ...benchGmailEnv(emulator.url),
        MAILROOM_GMAIL_QUOTA: opts.quota ?? 'off',
        // The emulator's window is a minute sped up K times; tell the limiter the same.
        MAILROOM_GMAIL_QUOTA_WINDOW_SECONDS: String(60 / opts.quotaScale),
      });
      const seconds = await timeFirstSync(
        config,
        {
          provider: 'google',
          email: OWNER,
          refreshToken: emulator.refreshToken,
          expected: opts.messages,
        },
        () => emulator.resetStats(),
      );
      const stats = await emulator.stats();
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
        emulatorPeakRssMb: await emulator.peakRssMb(),
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
    await emulator.close();
  }
}
