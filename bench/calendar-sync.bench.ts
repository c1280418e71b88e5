import { parseConfig, type Config } from '../src/config.ts';
import { initORM } from '../src/db/orm.ts';
import { buildGmailEmulator } from '../emulators/google/gmail-emulator.ts';
import type { EventJson } from '../emulators/google/google-calendar-store.ts';
import { createLogger } from '../src/logger.ts';
import { runSyncNow } from '../src/app/run-sync-now.ts';
import { withBenchDatabase } from './bench-database.ts';
import { peakRssMb, round } from './parse-baseline.ts';
import { benchEnv, connectBenchMailbox } from './time-first-sync.ts';

/**
 * `calendar-sync`: a first Google Calendar sync of N generated events (one in ten a weekly series
 * of 10 occurrences; 1–4 external attendees each from a pool of people and companies) through the
 * real client, BullMQ and the event writer, then an incremental round after a tenth of them moved.
 * Figures: rows per second for both rounds, requests, people, activities.
 */
const OWNER = 'rep@northwindtraders.com';
const DAY = 86_400_000;

function generateEvents(count: number, seed: number): EventJson[] {
  let state = seed;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = (n: number) => Math.floor(rand() * n);
  const today = Math.floor(Date.now() / DAY) * DAY;
  return Array.from({ length: count }, (_, i) => {
    const start = new Date(today + (pick(180) - 90) * DAY + (8 + pick(9)) * 3_600_000);
    const attendees = Array.from({ length: 1 + pick(4) }, () => {
      const n = pick(600);
      return {
        email: `person${String(n)}@company${String(n % 200)}.com`,
        displayName: `Person ${String(n)}`,
      };
    });
    return {
      id: `benchevent${String(i)}`,
      summary: `Meeting ${String(i)}`,
      start: { dateTime: start.toISOString() },
      end: { dateTime: new Date(start.getTime() + 1_800_000).toISOString() },
      organizer: { email: OWNER },
      attendees: [{ email: OWNER, responseStatus: 'accepted' }, ...attendees],
      ...(i % 10 === 0
        ? {
            recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
            start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'Europe/Berlin' },
            end: {
              dateTime: new Date(start.getTime() + 1_800_000).toISOString().slice(0, 19),
              timeZone: 'Europe/Berlin',
            },
          }
        : {}),
    };
  });
}

export async function benchCalendarSync(
  base: Config,
  opts: { events: number },
): Promise<Record<string, unknown>> {
  const emulator = buildGmailEmulator();
  emulator.store.user(OWNER);
  const events = generateEvents(opts.events, 11);
  for (const event of events) {
    emulator.calendars.upsertEvent(OWNER, 'primary', event);
  }
  const url = await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await withBenchDatabase(base.db.url, async (dbUrl) => {
      const config = parseConfig({
        ...benchEnv(base, dbUrl),
        GOOGLE_CLIENT_ID: 'bench',
        GOOGLE_CLIENT_SECRET: 'bench',
        GOOGLE_API_ROOT_URL: `${url}/`,
        GOOGLE_OAUTH_TOKEN_URL: `${url}/token`,
        MAILROOM_GMAIL_QUOTA: 'off',
      });
      const orm = await initORM(config.db.url);
      try {
        const mailboxId = await connectBenchMailbox(orm, config, {
          provider: 'google',
          email: OWNER,
          refreshToken: emulator.auth.issueRefreshToken(OWNER),
        });
        const log = createLogger('silent');
        emulator.resetStats();
        let start = performance.now();
        const first = await runSyncNow(config, orm, log, mailboxId);
        const firstSeconds = (performance.now() - start) / 1000;
        const firstRequests = emulator.stats.byMethod['events.list'] ?? 0;

        const moved = events.filter((_, i) => i % 10 === 5);
        for (const event of moved) {
          const at = new Date(String(event.start?.dateTime));
          emulator.calendars.upsertEvent(OWNER, 'primary', {
            ...event,
            start: { dateTime: new Date(at.getTime() + 3_600_000).toISOString() },
            end: { dateTime: new Date(at.getTime() + 5_400_000).toISOString() },
          });
        }
        start = performance.now();
        const second = await runSyncNow(config, orm, log, mailboxId);
        const secondSeconds = (performance.now() - start) / 1000;
        const stored = first.calendar?.eventsStored ?? 0;
        if (second.calendar?.eventsUpdated !== moved.length) {
          throw new Error(
            `updated ${String(second.calendar?.eventsUpdated)} of ${String(moved.length)}`,
          );
        }
        return {
          scenario: 'calendar-sync',
          events: opts.events,
          rowsStored: stored,
          firstSyncSeconds: round(firstSeconds),
          rowsPerSecond: round(stored / firstSeconds),
          listRequests: firstRequests,
          peopleCreated: first.calendar?.peopleCreated ?? 0,
          activitiesCreated: first.calendar?.activitiesCreated ?? 0,
          incrementalChanged: moved.length,
          incrementalSeconds: round(secondSeconds),
          incrementalActivities: second.calendar.activitiesCreated,
          peakRssMb: peakRssMb(),
        };
      } finally {
        await orm.close(true);
      }
    });
  } finally {
    await emulator.app.close();
  }
}
