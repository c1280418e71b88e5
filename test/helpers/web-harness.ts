import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Orm } from '../../src/db/orm.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import { writeCalendarChanges } from '../../src/ingest/write-calendar-events.ts';
import type { CalendarChange, CalendarEventData } from '../../src/providers/calendar-source.ts';
import { createApiKey } from '../../src/workspaces/api-keys.ts';
import { startApi, type ApiHarness } from './api-harness.ts';
import { ingestRaw, testPool } from './ingest.ts';
import { createMailbox, createWorkspace } from './test-orm.ts';

/**
 * The web views as `npm start` serves them, over real HTTP on 127.0.0.1 (the app of
 * api-harness.ts, listening), with Dana's demo mailbox (fixtures/mailbox) ingested by the real
 * pipeline and a week of meetings written by the calendar writer; and headless Chromium
 * (Debian's package) driven by playwright-core, recording every request and console error.
 */
export const OWNER = 'dana@northwindtraders.com';
/** The week the seeded meetings are in (a Monday, in any time zone the tests use). */
export const MEETING_WEEK = '2026-10-05';

export interface WebApp {
  api: ApiHarness;
  baseUrl: string;
  workspaceId: string;
  key: string;
  mailboxId: string;
  close(): Promise<void>;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/mailbox', import.meta.url));

async function fixtureMessages(): Promise<Buffer[]> {
  const names = (await readdir(FIXTURES)).filter((n) => n.endsWith('.eml')).sort();
  return Promise.all(names.map((n) => readFile(join(FIXTURES, n))));
}

const attendee = (email: string, name = '') => ({
  email,
  name,
  responseStatus: 'accepted' as const,
  optional: false,
  resource: false,
});

function meeting(over: Partial<CalendarEventData>): CalendarEventData {
  return {
    providerEventId: 'ev',
    icalUid: null,
    kind: 'single',
    seriesId: null,
    originalStart: null,
    status: 'confirmed',
    title: 'Meeting',
    description: '',
    location: '',
    allDay: false,
    startsAt: null,
    endsAt: null,
    startDate: null,
    endDate: null,
    timeZone: null,
    organizer: { email: OWNER, name: 'Dana Whitfield' },
    attendees: [],
    conferenceUrl: null,
    recurrence: [],
    providerUpdatedAt: null,
    ...over,
  };
}

/** A week of meetings: a call, an all-day event, a cancelled meeting, a weekly occurrence. */
export const SEEDED_MEETINGS: CalendarEventData[] = [
  meeting({
    providerEventId: 'pilot-review',
    icalUid: 'pilot-review@northwindtraders.com',
    title: 'Bluepeak pilot review',
    startsAt: new Date('2026-10-06T15:00:00Z'),
    endsAt: new Date('2026-10-06T16:00:00Z'),
    attendees: [attendee('priya.raman@bluepeak-logistics.com', 'Priya Raman')],
  }),
  meeting({
    providerEventId: 'trade-fair',
    title: 'Logistics trade fair',
    allDay: true,
    startsAt: new Date('2026-10-07T00:00:00Z'),
    endsAt: new Date('2026-10-09T00:00:00Z'),
    startDate: '2026-10-07',
    endDate: '2026-10-09',
  }),
  meeting({
    providerEventId: 'kestrel-demo',
    title: 'Kestrel demo',
    status: 'cancelled',
    startsAt: new Date('2026-10-08T13:00:00Z'),
    endsAt: new Date('2026-10-08T13:30:00Z'),
    attendees: [attendee('m.keller@kestrelbio.de')],
  }),
  meeting({
    providerEventId: 'pipeline_20261009',
    icalUid: 'pipeline@northwindtraders.com',
    kind: 'instance',
    seriesId: 'pipeline',
    originalStart: new Date('2026-10-09T08:00:00Z'),
    title: 'Pipeline review',
    startsAt: new Date('2026-10-09T08:00:00Z'),
    endsAt: new Date('2026-10-09T08:30:00Z'),
  }),
];

/** The app listening on 127.0.0.1:<free port>, with the seeded workspace and its key. */
export async function startWebApp(
  orm: Orm,
  extraMessages: readonly Buffer[] = [],
): Promise<WebApp> {
  const api = await startApi(orm);
  const workspaceId = await createWorkspace(orm, {
    domains: ['northwindtraders.com'],
    blocklist: ['cheap-leads-4u.biz'],
  });
  const { key } = await createApiKey(orm.em.fork(), { workspaceId, name: 'web test' });
  const mailboxId = await createMailbox(orm, workspaceId, OWNER);
  const pool = testPool();
  try {
    await ingestRaw(orm, pool, workspaceId, mailboxId, [
      ...(await fixtureMessages()),
      ...extraMessages,
    ]);
  } finally {
    await pool.close();
  }
  const target = await loadIngestTarget(orm.em.fork(), workspaceId, mailboxId);
  const changes = SEEDED_MEETINGS.map((event): CalendarChange => ({ type: 'upsert', event }));
  await writeCalendarChanges(orm.em.fork(), target, 'primary', null, changes);
  const address = await api.app.listen({ host: '127.0.0.1', port: 0 });
  return { api, baseUrl: address, workspaceId, key, mailboxId, close: () => api.close() };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every URL the pages asked for, in order. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Dialogs (alert, confirm, prompt) that opened. */
  dialogs: string[];
  close(): Promise<void>;
}

export async function openBrowser(
  opts: { timezoneId?: string; width?: number } = {},
): Promise<Browser> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: opts.width ?? 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: opts.timezoneId ?? 'Europe/Berlin',
  });
  const requests: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];
  context.on('request', (req) => {
    requests.push(req.url());
  });
  const watch = (page: Page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') {
        errors.push(`console: ${msg.text()} (${msg.location().url})`);
      }
    });
    page.on('pageerror', (err) => {
      errors.push(`page: ${err.message}`);
    });
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    context,
    page,
    requests,
    errors,
    dialogs,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form, as a person would. */
export async function signInWithForm(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
}

/**
 * Where the browser tests put their screenshots: the README's `docs/screenshots/` when asked
 * (`UPDATE_SCREENSHOTS=1 npx vitest run test/integration/web-views.test.ts`), else a temporary
 * folder, so a test run leaves the checkout as it found it.
 */
export const SCREENSHOTS =
  process.env['UPDATE_SCREENSHOTS'] === '1'
    ? fileURLToPath(new URL('../../docs/screenshots', import.meta.url))
    : join(tmpdir(), 'mailroom-screenshots');
