import { Client } from '@microsoft/microsoft-graph-client';
import type {
  AttendeeType,
  Event as GraphEvent,
  ResponseType,
} from '@microsoft/microsoft-graph-types';
import { describe, expect } from 'vitest';
import type { GraphEmulator } from '../../emulators/microsoft/graph-emulator.ts';
import { it } from '../helpers/fixtures.ts';

/**
 * The Graph emulator's calendarView delta driven by the real Graph SDK over HTTPS
 * (provider-apis.md §D.3, §F.3): paging by `Prefer: odata.maxpagesize`, absolute links, series
 * expanded in their own zone across a DST change, changes and `@removed` in a delta round, 410 for
 * an expired token, 400 for what Graph refuses.
 */

type Item = GraphEvent & { id: string; '@removed'?: { reason: string } };
interface Page {
  value: Item[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

function client(emu: GraphEmulator, email: string): Client {
  emu.store.mailbox(email);
  const token = emu.identity.issueAccessToken(email);
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: () => Promise.resolve(token) },
    baseUrl: emu.baseUrl(),
    // The emulator's links name localhost; the SDK only sends the token to hosts it trusts.
    customHosts: new Set(['localhost']),
  });
}

const WINDOW = { startDateTime: '2026-10-01T00:00:00Z', endDateTime: '2026-11-30T00:00:00Z' };

/**
 * One round: `first` is a path (an initial round over WINDOW) or a deltaLink. Follows nextLinks
 * to the deltaLink, sending the same Prefer header on every page.
 */
async function round(graph: Client, first: string, prefer: string) {
  const initial = first.startsWith('/');
  const pages: Page[] = [];
  let request = graph.api(first).header('Prefer', prefer);
  for (;;) {
    const page = (await (
      initial && pages.length === 0 ? request.query(WINDOW) : request
    ).get()) as Page;
    pages.push(page);
    const next = page['@odata.nextLink'];
    if (!next) {
      break;
    }
    request = graph.api(next).header('Prefer', prefer);
  }
  const deltaLink = pages.at(-1)?.['@odata.deltaLink'] ?? '';
  return { pages, items: pages.flatMap((p) => p.value), deltaLink };
}

const attendee = (
  address: string,
  response: ResponseType = 'none',
  type: AttendeeType = 'required',
) => ({
  type,
  status: { response, time: '0001-01-01T00:00:00Z' },
  emailAddress: { name: address.split('@')[0] ?? '', address },
});

const at = (dateTime: string, timeZone = 'UTC') => ({ dateTime, timeZone });

function seed(emu: GraphEmulator, email: string) {
  const organizer = { emailAddress: { name: 'Rep', address: email } };
  const kickoff = emu.calendars.upsertEvent(email, {
    subject: 'Kickoff',
    start: at('2026-10-05T14:00:00.0000000'),
    end: at('2026-10-05T15:00:00.0000000'),
    organizer,
    attendees: [attendee('buyer@client.com', 'accepted')],
  });
  const demo = emu.calendars.upsertEvent(email, {
    subject: 'Demo',
    start: at('2026-10-06T09:00:00.0000000', 'Pacific Standard Time'),
    end: at('2026-10-06T10:00:00.0000000', 'Pacific Standard Time'),
    organizer,
    isOnlineMeeting: true,
    onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/x' },
  });
  const review = emu.calendars.upsertEvent(email, {
    subject: 'Review',
    start: at('2026-10-07T10:00:00.0000000', 'Europe/Berlin'),
    end: at('2026-10-07T11:00:00.0000000', 'Europe/Berlin'),
    organizer,
  });
  const outside = emu.calendars.upsertEvent(email, {
    subject: 'Last year',
    start: at('2025-10-07T10:00:00.0000000'),
    end: at('2025-10-07T11:00:00.0000000'),
    organizer,
  });
  // Wednesdays 09:00 Berlin time; Europe leaves summer time on Sunday 2026-10-25.
  const weekly = emu.calendars.upsertEvent(email, {
    subject: 'Partner stand-up',
    type: 'seriesMaster',
    start: at('2026-10-14T09:00:00.0000000', 'W. Europe Standard Time'),
    end: at('2026-10-14T09:30:00.0000000', 'W. Europe Standard Time'),
    recurrence: {
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['wednesday'], firstDayOfWeek: 'sunday' },
      range: {
        type: 'numbered',
        startDate: '2026-10-14',
        numberOfOccurrences: 4,
        recurrenceTimeZone: 'W. Europe Standard Time',
      },
    },
    organizer,
    attendees: [attendee('pm@partner.io', 'accepted')],
  });
  return { kickoff, demo, review, outside, weekly };
}

describe('Graph calendarView delta through @microsoft/microsoft-graph-client', () => {
  it('pages the initial round to a deltaLink and expands a weekly series across DST', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'cal-initial@contoso.com';
    const { kickoff, weekly } = seed(emu, email);
    const graph = client(emu, email);

    const { pages, items, deltaLink } = await round(
      graph,
      '/me/calendarView/delta',
      'odata.maxpagesize=2',
    );
    // 3 single events + 4 occurrences in the window, 2 a page.
    expect(pages.map((p) => p.value.length)).toEqual([2, 2, 2, 1]);
    for (const page of pages.slice(0, -1)) {
      expect(page['@odata.nextLink']).toMatch(
        /^https:\/\/localhost:\d+\/v1\.0\/me\/calendarView\/delta\?\$skiptoken=/,
      );
      expect(page['@odata.deltaLink']).toBeUndefined();
    }
    expect(deltaLink).toMatch(
      /^https:\/\/localhost:\d+\/v1\.0\/me\/calendarView\/delta\?\$deltatoken=/,
    );
    expect(items.map((i) => i.subject)).not.toContain('Last year');
    // Calendar view lists instances, never the master.
    expect(items.map((i) => i.id)).not.toContain(weekly.id);
    expect(items.find((i) => i.id === kickoff.id)).toMatchObject({
      type: 'singleInstance',
      iCalUId: expect.stringMatching(/^040000008200E00074C5B7101A82E008[0-9A-F]+$/) as unknown,
      start: { dateTime: '2026-10-05T14:00:00.0000000', timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: 'buyer@client.com' } }],
    });

    const occurrences = items.filter((i) => i.seriesMasterId === weekly.id);
    expect(occurrences.map((o) => o.type)).toEqual(Array(4).fill('occurrence'));
    // The wall time stays 09:00 in the series' zone while the UTC instant moves an hour.
    expect(occurrences.map((o) => [o.start?.dateTime, o.start?.timeZone])).toEqual([
      ['2026-10-14T09:00:00.0000000', 'W. Europe Standard Time'],
      ['2026-10-21T09:00:00.0000000', 'W. Europe Standard Time'],
      ['2026-10-28T09:00:00.0000000', 'W. Europe Standard Time'],
      ['2026-11-04T09:00:00.0000000', 'W. Europe Standard Time'],
    ]);
    expect(occurrences.map((o) => o.end?.dateTime)).toEqual([
      '2026-10-14T09:30:00.0000000',
      '2026-10-21T09:30:00.0000000',
      '2026-10-28T09:30:00.0000000',
      '2026-11-04T09:30:00.0000000',
    ]);
    expect(occurrences.map((o) => new Date(o.originalStart ?? '').toISOString())).toEqual([
      '2026-10-14T07:00:00.000Z',
      '2026-10-21T07:00:00.000Z',
      '2026-10-28T08:00:00.000Z',
      '2026-11-04T08:00:00.000Z',
    ]);
    expect(new Set(occurrences.map((o) => o.iCalUId)).size).toBe(4);
    expect(occurrences.map((o) => o.iCalUId)).not.toContain(weekly.iCalUId);
    for (const o of occurrences) {
      expect(o).toMatchObject({
        subject: 'Partner stand-up',
        organizer: { emailAddress: { address: email } },
        attendees: [{ emailAddress: { address: 'pm@partner.io' } }],
      });
    }

    // Asked for UTC, the same occurrences come back as UTC pairs.
    const utc = await round(
      graph,
      `/users/${email}/calendarView/delta`,
      'odata.maxpagesize=50, outlook.timezone="UTC"',
    );
    expect(
      utc.items
        .filter((i) => i.seriesMasterId === weekly.id)
        .map((o) => [o.start?.dateTime, o.start?.timeZone]),
    ).toEqual([
      ['2026-10-14T07:00:00.0000000', 'UTC'],
      ['2026-10-21T07:00:00.0000000', 'UTC'],
      ['2026-10-28T08:00:00.0000000', 'UTC'],
      ['2026-11-04T08:00:00.0000000', 'UTC'],
    ]);
  });

  it('reports updates, cancellations, removals and exceptions in a delta round', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'cal-delta@contoso.com';
    const { kickoff, demo, review, outside, weekly } = seed(emu, email);
    const graph = client(emu, email);
    const first = await round(graph, '/me/calendarView/delta', 'odata.maxpagesize=10');
    expect(first.items).toHaveLength(7);
    const occurrences = first.items.filter((i) => i.seriesMasterId === weekly.id);
    const third = occurrences[2];
    if (!third) {
      throw new Error('the series has no third occurrence');
    }

    const updated = emu.calendars.upsertEvent(email, { id: kickoff.id, subject: 'Kickoff v2' });
    expect(updated.changeKey).not.toBe(kickoff.changeKey);
    emu.calendars.cancelEvent(email, demo.id);
    emu.calendars.deleteEvent(email, review.id);
    emu.calendars.deleteEvent(email, outside.id);
    // The third stand-up moves to 14:00 local: as in Graph, the occurrence keeps its id and
    // becomes an exception.
    const moved = emu.calendars.upsertEvent(email, {
      id: third.id,
      type: 'exception',
      seriesMasterId: weekly.id,
      originalStart: third.originalStart ?? '',
      subject: 'Partner stand-up (moved)',
      start: at('2026-10-28T14:00:00.0000000', 'W. Europe Standard Time'),
      end: at('2026-10-28T14:30:00.0000000', 'W. Europe Standard Time'),
    });

    const second = await round(graph, first.deltaLink, 'odata.maxpagesize=10');
    const byId = new Map(second.items.map((i) => [i.id, i]));
    expect(byId.get(kickoff.id)).toMatchObject({ subject: 'Kickoff v2' });
    expect(byId.get(demo.id)).toMatchObject({ isCancelled: true, subject: 'Demo' });
    expect(byId.get(review.id)).toEqual({
      '@odata.type': '#microsoft.graph.event',
      id: review.id,
      '@removed': { reason: 'deleted' },
    });
    // Removals outside the window are reported too; clients filter them.
    expect(byId.get(outside.id)).toMatchObject({ '@removed': { reason: 'deleted' } });
    expect(byId.get(moved.id)).toMatchObject({
      type: 'exception',
      seriesMasterId: weekly.id,
      start: { dateTime: '2026-10-28T14:00:00.0000000' },
    });
    expect(second.items).toHaveLength(5);

    // A fresh initial round shows the exception in place of its occurrence, the cancelled event
    // still listed and the deleted one gone.
    const fresh = await round(graph, '/me/calendarView/delta', 'odata.maxpagesize=10');
    expect(fresh.items.filter((i) => i.seriesMasterId === weekly.id)).toHaveLength(4);
    expect(fresh.items.find((i) => i.id === third.id)).toMatchObject({
      type: 'exception',
      subject: 'Partner stand-up (moved)',
    });
    expect(fresh.items.map((i) => i.id)).toContain(demo.id);
    expect(fresh.items.map((i) => i.id)).not.toContain(review.id);

    // Deleting the series removes every occurrence (and the exception) in the next round.
    emu.calendars.deleteEvent(email, weekly.id);
    const thirdRound = await round(graph, second.deltaLink, 'odata.maxpagesize=10');
    const removed = thirdRound.items.filter((i) => i['@removed']).map((i) => i.id);
    expect(removed).toEqual(expect.arrayContaining(occurrences.map((o) => o.id)));
    expect(thirdRound.items.every((i) => i['@removed'])).toBe(true);

    emu.calendars.expireDelta(email);
    await expect(
      graph.api(thirdRound.deltaLink).header('Prefer', 'odata.maxpagesize=10').get(),
    ).rejects.toMatchObject({ statusCode: 410, code: 'syncStateNotFound' });
  });

  it('answers 400 without a window and for query options Graph refuses', async ({
    graph: { emulator: emu },
  }) => {
    const graph = client(emu, 'cal-errors@contoso.com');
    await expect(
      graph.api('/me/calendarView/delta').query({ endDateTime: WINDOW.endDateTime }).get(),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ErrorInvalidParameter' });
    await expect(
      graph.api('/me/calendarView/delta').query(WINDOW).select(['subject']).get(),
    ).rejects.toMatchObject({ statusCode: 400 });
    await expect(
      graph.api('/me/calendarView/delta').query(WINDOW).filter("subject eq 'x'").get(),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
