import { fileURLToPath } from 'node:url';
import { parseConfig, type Config } from '../src/config.ts';
import { buildGraphEmulator } from '../emulators/microsoft/graph-emulator.ts';
import { localTls } from '../emulators/microsoft/local-tls.ts';
import { withBenchDatabase } from './bench-database.ts';
import { generateMessages } from './generate-messages.ts';
import { parseOnlySeconds, peakRssMb, round } from './parse-baseline.ts';
import { benchEnv, timeFirstSync } from './time-first-sync.ts';

/**
 * `outlook-backfill`: a first sync of N generated messages from the Graph emulator (HTTPS) through
 * the Graph SDK, BullMQ and the pipeline. With `--throttle-scale K` the emulator enforces Graph's
 * 10,000 requests per 10 minutes per mailbox sped up K times, and `ceilingRatio` says how much of
 * that budget the backfill used per second.
 */
const OWNER = 'rep@northwindtraders.com';
export const LOCAL_TLS_DIR = fileURLToPath(new URL('../.local', import.meta.url));

export async function benchOutlookBackfill(
  base: Config,
  opts: { messages: number; throttleScale: number | null },
): Promise<Record<string, unknown>> {
  const generated = generateMessages({
    count: opts.messages,
    seed: 11,
    ownerEmail: OWNER,
    internalDomain: 'northwindtraders.com',
  });
  const parseSeconds = await parseOnlySeconds(generated.map((m) => m.raw));
  const emulator = buildGraphEmulator({
    tls: await localTls(LOCAL_TLS_DIR),
    requestsPerWindow: opts.throttleScale ? 10_000 : null,
    throttleScale: opts.throttleScale ?? 1,
  });
  for (const m of generated) {
    const head = m.raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    await emulator.addMime(
      OWNER,
      /^From:.*rep@northwindtraders\.com/im.test(head) ? 'sentitems' : 'inbox',
      m.raw,
    );
  }
  await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const config = parseConfig({
        ...benchEnv(base, dbUrl),
        MICROSOFT_CLIENT_ID: 'bench',
        MICROSOFT_CLIENT_SECRET: 'bench',
        MICROSOFT_GRAPH_URL: emulator.baseUrl(),
        MICROSOFT_LOGIN_URL: emulator.baseUrl(),
        MAILROOM_BACKFILL_MAX_MESSAGES: '0',
        // The emulator's 10-minute window sped up K times; without throttling, no limiter either.
        MAILROOM_GRAPH_REQUESTS_PER_WINDOW: opts.throttleScale ? '10000' : '0',
        MAILROOM_GRAPH_WINDOW_SECONDS: String(600 / (opts.throttleScale ?? 1)),
      });
      const seconds = await timeFirstSync(
        config,
        {
          provider: 'microsoft',
          email: OWNER,
          refreshToken: emulator.identity.issueRefreshToken(OWNER),
          expected: opts.messages,
        },
        () => {
          emulator.stats.requests = 0;
          emulator.stats.throttled = 0;
        },
      );
      const messagesPerSecond = opts.messages / seconds;
      const parseOnly = opts.messages / parseSeconds;
      const allowedPerSecond = opts.throttleScale ? (10_000 * opts.throttleScale) / 600 : null;
      return {
        scenario: 'outlook-backfill',
        messages: opts.messages,
        seconds: round(seconds),
        messagesPerSecond: round(messagesPerSecond),
        parseOnlyMessagesPerSecond: round(parseOnly),
        efficiency: round(messagesPerSecond / parseOnly),
        apiRequests: emulator.stats.requests,
        requestsPerMessage: round(emulator.stats.requests / opts.messages),
        peakRssMb: peakRssMb(),
        ...(allowedPerSecond
          ? {
              throttleScale: opts.throttleScale,
              ceilingRatio: round(emulator.stats.requests / seconds / allowedPerSecond),
              throttledResponses: emulator.stats.throttled,
            }
          : {}),
      };
    });
  } finally {
    await emulator.app.close();
  }
}
