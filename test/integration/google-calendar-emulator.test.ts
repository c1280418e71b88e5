import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { describe, expect } from 'vitest';
import { it } from '../helpers/fixtures.ts';
import type { GmailHarness } from '../helpers/gmail-harness.ts';

/**
 * The emulator's Calendar `events.list` as the real @googleapis/calendar client sees it
 * (provider-apis.md §B.2): paging, sync tokens, tombstones, singleEvents expansion across a DST
 * change, all-day events, 410 after expiry and 400 for a forbidden parameter. No database: the
 * emulator alone, fed through its programmatic store and its control routes.
 */

/** A Calendar client for `email`, refreshing its access token at the emulator's `/token`. */
function clientFor(h: GmailHarness, email: string): calendar_v3.Calendar {
  const auth = new OAuth2Client({
    clientId: 'test-client',
    clientSecret: 'test-secret',
    endpoints: { oauth2TokenUrl: `${h.url}/token` },
  });
  auth.setCredentials({ refresh_token: h.emulator.auth.issueRefreshToken(email) });
  return calendar({ version: 'v3', auth, rootUrl: `${h.url}/` });
}

async function control(h: GmailHarness, method: 'POST' | 'DELETE', path: string, body?: unknown) {
  const res = await fetch(`${h.url}/__control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as calendar_v3.Schema$Event;
}

/** Every page of one listing; asserts that only the last page carries `nextSyncToken`. */
async function listAll(api: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List) {
  const items: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const { data } = await api.events.list({
      calendarId: 'primary',
      ...params,
      ...(pageToken ? { pageToken } : {}),
    });
    pages++;
    items.push(...(data.items ?? []));
    if (data.nextPageToken) {
      expect(data.nextSyncToken).toBeUndefined();
      pageToken = data.nextPageToken;
      continue;
    }
    expect(data.nextSyncToken).toEqual(expect.any(String));
    return { items, pages, syncToken: data.nextSyncToken ?? '' };
  }
}

/** The Google error envelope a rejected call carried (gaxios puts the body on `response`). */
async function errorOf(call: Promise<unknown>) {
  const err: unknown = await call.then(
    () => null,
    (e: unknown) => e,
  );
  const response = (err as { response?: { status: number; data: unknown } } | null)?.response;
  expect(response).toBeDefined();
  return response ?? { status: 0, data: null };
}

const timed = (summary: string, startIso: string, endIso: string) => ({
  summary,
  start: { dateTime: startIso },
  end: { dateTime: endIso },
});

describe('Google Calendar emulator: events.list with the real client', () => {
  it('pages with maxResults=2, gives nextSyncToken only on the last page, then syncs changes', async ({
    gmail: h,
  }) => {
    const email = 'paging@northwind.com';
    const api = clientFor(h, email);
    const store = h.emulator.calendars;
    const seeded = [1, 2, 3, 4, 5].map((n) =>
      store.upsertEvent(
        email,
        'primary',
        timed(
          `Call ${String(n)}`,
          `2026-11-0${String(n)}T10:00:00Z`,
          `2026-11-0${String(n)}T11:00:00Z`,
        ),
      ),
    );

    const full = await listAll(api, { maxResults: 2 });
    expect(full.pages).toBe(3);
    expect(full.items.map((e) => e.summary)).toEqual([
      'Call 1',
      'Call 2',
      'Call 3',
      'Call 4',
      'Call 5',
    ]);
    expect(full.items[0]).toMatchObject({
      kind: 'calendar#event',
      status: 'confirmed',
      organizer: { email, self: true },
      iCalUID: `${seeded[0]?.id ?? ''}@google.com`,
      eventType: 'default',
    });

    // Nothing changed: an empty incremental round, with a fresh token.
    const idle = await listAll(api, { syncToken: full.syncToken });
    expect(idle.items).toEqual([]);

    // One update (over the control route) and one delete.
    const moved = await control(h, 'POST', `/users/${email}/calendars/primary/events`, {
      ...seeded[1],
      summary: 'Call 2 (moved)',
      start: { dateTime: '2026-11-02T12:00:00Z' },
      end: { dateTime: '2026-11-02T13:00:00Z' },
    });
    expect(moved).toMatchObject({ id: seeded[1]?.id, sequence: 1 });
    expect(moved.etag).not.toBe(seeded[1]?.etag);
    await control(h, 'DELETE', `/users/${email}/calendars/primary/events/${seeded[3]?.id ?? ''}`);

    const delta = await listAll(api, { syncToken: idle.syncToken, maxResults: 1 });
    expect(delta.pages).toBe(2);
    // Incremental order is not promised; compare as a set.
    expect(delta.items.map((e) => [e.id, e.status, e.summary])).toEqual(
      expect.arrayContaining([
        [seeded[1]?.id, 'confirmed', 'Call 2 (moved)'],
        [seeded[3]?.id, 'cancelled', undefined],
      ]),
    );
    expect(delta.items).toHaveLength(2);
    // A deleted event is reported as a bare tombstone.
    const tombstone = delta.items.find((e) => e.id === seeded[3]?.id);
    expect(Object.keys(tombstone ?? {}).sort()).toEqual(['etag', 'id', 'kind', 'status']);

    // A full listing hides the tombstone unless showDeleted is asked for.
    expect((await listAll(api, {})).items).toHaveLength(4);
    const withDeleted = await listAll(api, { showDeleted: true });
    expect(withDeleted.items.find((e) => e.id === seeded[3]?.id)?.status).toBe('cancelled');
  });

  it('expands a weekly Europe/Berlin series across the end of summer time', async ({
    gmail: h,
  }) => {
    const email = 'series@northwind.com';
    const api = clientFor(h, email);
    // 09:00 Berlin on Wednesdays; summer time ends on Sunday 25 October 2026.
    const master = h.emulator.calendars.upsertEvent(email, 'primary', {
      summary: 'Weekly sync',
      start: { dateTime: '2026-10-14T09:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-10-14T09:30:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    });
    const masterId = master.id ?? '';

    const expanded = await listAll(api, { singleEvents: true });
    expect(expanded.items.map((e) => e.id)).toEqual([
      `${masterId}_20261014T070000Z`,
      `${masterId}_20261021T070000Z`,
      `${masterId}_20261028T080000Z`,
      `${masterId}_20261104T080000Z`,
    ]);
    const starts = expanded.items.map((e) => new Date(e.start?.dateTime ?? '').toISOString());
    expect(starts).toEqual([
      '2026-10-14T07:00:00.000Z',
      '2026-10-21T07:00:00.000Z',
      '2026-10-28T08:00:00.000Z',
      '2026-11-04T08:00:00.000Z',
    ]);
    const third = expanded.items[2];
    expect(third).toMatchObject({
      recurringEventId: masterId,
      start: { timeZone: 'Europe/Berlin' },
      end: { timeZone: 'Europe/Berlin' },
    });
    expect(third?.recurrence).toBeUndefined();
    expect(new Date(third?.end?.dateTime ?? '').toISOString()).toBe('2026-10-28T08:30:00.000Z');
    expect(new Date(third?.originalStartTime?.dateTime ?? '').toISOString()).toBe(
      '2026-10-28T08:00:00.000Z',
    );

    // Without singleEvents the master is listed once, with its rule.
    const masters = await listAll(api, {});
    expect(masters.items.map((e) => [e.id, e.recurrence])).toEqual([
      [masterId, ['RRULE:FREQ=WEEKLY;COUNT=4']],
    ]);

    // Cancelling one occurrence: gone from a full listing, reported cancelled incrementally.
    await control(
      h,
      'POST',
      `/users/${email}/calendars/primary/events/${masterId}/cancel-instance`,
      {
        originalStartTime: '2026-10-28T08:00:00.000Z',
      },
    );
    const delta = await listAll(api, { syncToken: expanded.syncToken, singleEvents: true });
    expect(delta.items.map((e) => [e.id, e.status, e.recurringEventId])).toEqual([
      [`${masterId}_20261028T080000Z`, 'cancelled', masterId],
    ]);
    const after = await listAll(api, { singleEvents: true });
    expect(after.items.map((e) => e.id)).not.toContain(`${masterId}_20261028T080000Z`);
    expect(after.items).toHaveLength(3);

    // timeMin/timeMax bound a full listing: end after timeMin, start before timeMax (exclusive).
    const window = await listAll(api, {
      singleEvents: true,
      timeMin: '2026-10-21T07:29:00Z',
      timeMax: '2026-11-04T08:00:00Z',
    });
    expect(window.items.map((e) => e.id)).toEqual([`${masterId}_20261021T070000Z`]);

    // Deleting the series cancels every instance in the next incremental round.
    h.emulator.calendars.deleteEvent(email, 'primary', masterId);
    const gone = await listAll(api, { syncToken: after.syncToken, singleEvents: true });
    expect(gone.items.every((e) => e.status === 'cancelled')).toBe(true);
    expect(gone.items.map((e) => e.id)).toEqual(
      expect.arrayContaining([`${masterId}_20261014T070000Z`, `${masterId}_20261104T080000Z`]),
    );
  });

  it('lists an all-day event with dates, the end exclusive', async ({ gmail: h }) => {
    const email = 'allday@northwind.com';
    const api = clientFor(h, email);
    const offsite = await control(h, 'POST', `/users/${email}/calendars/primary/events`, {
      summary: 'Offsite',
      start: { date: '2026-12-01' },
      end: { date: '2026-12-03' },
      attendees: [{ email }, { email: 'ceo@partner.io', displayName: 'Pat Partner' }],
    });
    const { items } = await listAll(api, {});
    expect(items).toEqual([
      expect.objectContaining({
        id: offsite.id,
        start: { date: '2026-12-01' },
        end: { date: '2026-12-03' },
      }),
    ]);
    expect(items[0]?.attendees).toEqual([
      expect.objectContaining({ email, self: true, responseStatus: 'needsAction' }),
      expect.objectContaining({ email: 'ceo@partner.io', displayName: 'Pat Partner' }),
    ]);
    // A window starting on the exclusive end date leaves it out.
    expect((await listAll(api, { timeMin: '2026-12-03T00:00:00Z' })).items).toEqual([]);
  });

  it('answers 410 fullSyncRequired after expire-sync, and 400 for timeMin with a sync token', async ({
    gmail: h,
  }) => {
    const email = 'expired@northwind.com';
    const api = clientFor(h, email);
    h.emulator.calendars.upsertEvent(
      email,
      'primary',
      timed('Call', '2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z'),
    );
    const { syncToken } = await listAll(api, {});

    const forbidden = await errorOf(
      api.events.list({ calendarId: 'primary', syncToken, timeMin: '2026-01-01T00:00:00Z' }),
    );
    expect(forbidden.status).toBe(400);
    expect(forbidden.data).toMatchObject({
      error: { code: 400, errors: [{ domain: 'global', reason: 'invalid' }] },
    });

    await control(h, 'POST', `/users/${email}/calendars/primary/expire-sync`, {});
    const gone = await errorOf(api.events.list({ calendarId: 'primary', syncToken }));
    expect(gone.status).toBe(410);
    expect(gone.data).toMatchObject({
      error: {
        code: 410,
        message: 'Sync token is no longer valid, a full sync is required.',
        errors: [
          {
            domain: 'calendar',
            reason: 'fullSyncRequired',
            message: 'Sync token is no longer valid, a full sync is required.',
            locationType: 'parameter',
            location: 'syncToken',
          },
        ],
      },
    });

    // A fresh full sync hands out a token that works again.
    const again = await listAll(api, {});
    expect((await listAll(api, { syncToken: again.syncToken })).items).toEqual([]);
  });

  it('answers 404 notFound for an unknown calendar', async ({ gmail: h }) => {
    const api = clientFor(h, 'nobody@northwind.com');
    const missing = await errorOf(
      api.events.list({ calendarId: 'team@group.calendar.google.com' }),
    );
    expect(missing.status).toBe(404);
    expect(missing.data).toMatchObject({ error: { errors: [{ reason: 'notFound' }] } });
  });

  it('keeps paging right when an event is deleted between two pages', async ({ gmail: h }) => {
    const email = 'pager@northwind.com';
    const api = clientFor(h, email);
    const ids = [1, 2, 3, 4, 5].map(
      (n) =>
        h.emulator.calendars.upsertEvent(email, 'primary', {
          summary: `E${String(n)}`,
          start: { dateTime: `2026-03-0${String(n)}T10:00:00Z` },
          end: { dateTime: `2026-03-0${String(n)}T11:00:00Z` },
        }).id ?? '',
    );
    const first = await api.events.list({ calendarId: 'primary', maxResults: 2 });
    expect(first.data.items?.map((e) => e.summary)).toEqual(['E1', 'E2']);
    h.emulator.calendars.deleteEvent(email, 'primary', ids[0] ?? '');
    const rest = await listAll(api, { maxResults: 2, pageToken: first.data.nextPageToken ?? '' });
    expect(rest.items.map((e) => e.summary)).toEqual(['E3', 'E4', 'E5']);
  });

  it('reports the instances a shortened series no longer has, and exceptions under their own id', async ({
    gmail: h,
  }) => {
    const email = 'series@northwind.com';
    const api = clientFor(h, email);
    const master = h.emulator.calendars.upsertEvent(email, 'primary', {
      summary: 'Daily',
      start: { dateTime: '2026-04-06T09:00:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-04-06T09:15:00', timeZone: 'Europe/Paris' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=4'],
    });
    // An exception stored under an id of its own replaces its instance.
    h.emulator.calendars.upsertEvent(email, 'primary', {
      id: 'movedone',
      summary: 'Daily (moved)',
      recurringEventId: master.id ?? '',
      originalStartTime: { dateTime: '2026-04-07T09:00:00+02:00', timeZone: 'Europe/Paris' },
      start: { dateTime: '2026-04-07T11:00:00+02:00', timeZone: 'Europe/Paris' },
      end: { dateTime: '2026-04-07T11:15:00+02:00', timeZone: 'Europe/Paris' },
    });
    const full = await listAll(api, { singleEvents: true });
    expect(full.items.map((e) => [e.id, e.start?.dateTime])).toEqual([
      [`${master.id ?? ''}_20260406T070000Z`, '2026-04-06T09:00:00+02:00'],
      ['movedone', '2026-04-07T11:00:00+02:00'],
      [`${master.id ?? ''}_20260408T070000Z`, '2026-04-08T09:00:00+02:00'],
      [`${master.id ?? ''}_20260409T070000Z`, '2026-04-09T09:00:00+02:00'],
    ]);
    h.emulator.calendars.upsertEvent(email, 'primary', {
      ...master,
      recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
    });
    const changes = await listAll(api, { singleEvents: true, syncToken: full.syncToken });
    const byId = new Map(changes.items.map((e) => [e.id, e.status]));
    expect(byId.get(`${master.id ?? ''}_20260408T070000Z`)).toBe('cancelled');
    expect(byId.get(`${master.id ?? ''}_20260409T070000Z`)).toBe('cancelled');
    expect(byId.get(`${master.id ?? ''}_20260406T070000Z`)).toBe('confirmed');
  });
});
