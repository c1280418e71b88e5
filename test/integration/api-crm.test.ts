import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import type { CalendarChange, CalendarEventData } from '../../src/providers/calendar-source.ts';
import { writeCalendarChanges } from '../../src/ingest/write-calendar-events.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { ingestRaw, testPool } from '../helpers/ingest.ts';
import { json, runCli } from '../helpers/run-cli.ts';
import { createMailbox, openTestOrm, testDatabaseUrl } from '../helpers/test-orm.ts';

/**
 * The CRM API's people, companies, timelines and calendar (issue 12, item 5), over data written
 * by the real ingest paths: raw mail through the ingest pipeline, calendar changes through the
 * calendar writer.
 */
interface Person {
  id: string;
  email: string;
  emails: string[];
  firstName: string;
  lastName: string;
  companyDomain: string | null;
  companyId: string | null;
  editedFields: string[];
}
interface Company {
  id: string;
  domain: string;
  name: string;
  peopleCount: number;
}
interface TimelineItem {
  id: string;
  type: string;
  personEmail: string;
  occurredAt: string;
  internetMessageId: string | null;
  email: { id: string; subject: string; direction: string; mailboxId: string } | null;
  meeting: { id: string; title: string; status: string } | null;
}
interface CalendarItem {
  id: string;
  title: string;
  allDay: boolean;
  startDate: string | null;
  startsAt: string | null;
  status: string;
  kind: string;
  mailboxes: string[];
  attendees: { email: string; personId: string | null; personEmail: string | null }[];
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const REP = 'rep@mine.example';

const event = (over: Partial<CalendarEventData>): CalendarEventData => ({
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
  organizer: { email: REP, name: 'Rep' },
  attendees: [],
  conferenceUrl: null,
  recurrence: [],
  providerUpdatedAt: null,
  ...over,
});

const attendee = (email: string) => ({
  email,
  name: '',
  responseStatus: 'accepted' as const,
  optional: false,
  resource: false,
});

const weekly = (day: string, status: 'confirmed' | 'cancelled' = 'confirmed') =>
  event({
    providerEventId: `weekly_${day.replaceAll('-', '')}`,
    icalUid: 'weekly@mine.example',
    kind: 'instance',
    seriesId: 'weekly',
    originalStart: new Date(`${day}T09:00:00Z`),
    status,
    title: 'Weekly sync',
    startsAt: new Date(`${day}T09:00:00Z`),
    endsAt: new Date(`${day}T09:30:00Z`),
    attendees: [attendee('cy@globex.example')],
  });

async function writeCalendar(orm: Orm, ws: string, mb: string, events: CalendarEventData[]) {
  const target = await loadIngestTarget(orm.em.fork(), ws, mb);
  const changes = events.map((e): CalendarChange => ({ type: 'upsert', event: e }));
  await writeCalendarChanges(orm.em.fork(), target, 'primary', null, changes);
}

/** Mail with Ada and Bob at acme.example and Cy at globex.example, and their meetings. */
async function seed(orm: Orm, pool: ParsePool, ws: string): Promise<string> {
  const mb = await createMailbox(orm, ws, REP);
  await ingestRaw(orm, pool, ws, mb, [
    buildEml({
      from: 'Ada Lovelace <ada@acme.example>',
      to: [REP],
      subject: 'Pricing question',
      messageId: '<m1@acme.example>',
      date: 'Mon, 05 Oct 2026 10:00:00 +0000',
    }),
    buildEml({
      from: `Rep <${REP}>`,
      to: ['ada@acme.example', 'Bob Byte <bob@acme.example>'],
      subject: 'Our pricing',
      messageId: '<m2@mine.example>',
      date: 'Tue, 06 Oct 2026 10:00:00 +0000',
    }),
    buildEml({
      from: 'Cy Cloud <cy@globex.example>',
      to: [REP],
      subject: 'Intro',
      messageId: '<m3@globex.example>',
      date: 'Wed, 07 Oct 2026 10:00:00 +0000',
    }),
  ]);
  await writeCalendar(orm, ws, mb, [
    event({
      providerEventId: 'pricing',
      icalUid: 'pricing@mine.example',
      title: 'Pricing call',
      startsAt: new Date('2026-10-10T14:00:00Z'),
      endsAt: new Date('2026-10-10T15:00:00Z'),
      attendees: [attendee('ada@acme.example')],
    }),
    event({
      providerEventId: 'offsite',
      title: 'Offsite',
      allDay: true,
      startsAt: new Date('2026-10-12T00:00:00Z'),
      endsAt: new Date('2026-10-13T00:00:00Z'),
      startDate: '2026-10-12',
      endDate: '2026-10-13',
      attendees: [attendee('bob@acme.example')],
    }),
    weekly('2026-10-13'),
    weekly('2026-10-20'),
    weekly('2026-10-27'),
  ]);
  // The last occurrence is then cancelled on its own.
  await writeCalendar(orm, ws, mb, [weekly('2026-10-27', 'cancelled')]);
  return mb;
}

let orm: Orm;
let pool: ParsePool;
let api: ApiHarness;
let mailboxId: string;
let byEmail: Map<string, Person>;
let companies: Map<string, Company>;

const get = async <T>(url: string, as?: string) => {
  const res = await api.call('GET', url, as === undefined ? {} : { as });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json<T>();
};
const person = (email: string): Person => {
  const p = byEmail.get(email);
  if (!p) {
    throw new Error(`no person ${email}`);
  }
  return p;
};
const company = (domain: string): Company => {
  const c = companies.get(domain);
  if (!c) {
    throw new Error(`no company ${domain}`);
  }
  return c;
};

/** The key of every item of a list, following nextCursor with the given page size. */
async function walk(
  url: string,
  limit: number,
  field: 'id' | 'domain' = 'id',
): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const suffix: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const body: Page<Record<string, string>> = await get<Page<Record<string, string>>>(
      `${url}${sep}limit=${String(limit)}${suffix}`,
    );
    expect(body.items.length).toBeLessThanOrEqual(limit);
    keys.push(...body.items.map((item) => item[field] ?? ''));
    cursor = body.nextCursor;
    pages++;
    expect(pages).toBeLessThan(50);
  } while (cursor !== null);
  return { keys, pages };
}

beforeAll(async () => {
  orm = await openTestOrm();
  pool = testPool();
  api = await startApi(orm);
  mailboxId = await seed(orm, pool, api.workspaceId);
  const people = await get<Page<Person>>('/api/v1/people');
  byEmail = new Map(people.items.map((p) => [p.email, p]));
  const list = await get<Page<Company>>('/api/v1/companies');
  companies = new Map(list.items.map((c) => [c.domain, c]));
});
afterAll(async () => {
  await api.close();
  await pool.close();
  await orm.close(true);
});

describe('people', () => {
  it('lists the workspace’s people by address, with their company id and no edits', async () => {
    const { items, nextCursor } = await get<Page<Person>>('/api/v1/people');
    expect(nextCursor).toBeNull();
    expect(items.map((p) => [p.email, p.firstName, p.lastName, p.companyDomain])).toEqual([
      ['ada@acme.example', 'Ada', 'Lovelace', 'acme.example'],
      ['bob@acme.example', 'Bob', 'Byte', 'acme.example'],
      ['cy@globex.example', 'Cy', 'Cloud', 'globex.example'],
    ]);
    expect(person('ada@acme.example')).toMatchObject({
      emails: ['ada@acme.example'],
      companyId: company('acme.example').id,
      editedFields: [],
    });
  });

  it.each([
    ['q=LOVE', ['ada@acme.example']],
    ['q=globex', ['cy@globex.example']],
    ['q=b', ['bob@acme.example', 'cy@globex.example']],
    ['q=%25', []],
    ['email=BOB@acme.example', ['bob@acme.example']],
    ['email=acme.example', []],
  ])('filters with %s', async (query, expected) => {
    const { items } = await get<Page<Person>>(`/api/v1/people?${query}`);
    expect(items.map((p) => p.email)).toEqual(expected);
  });

  it('filters by company and gets one person', async () => {
    const acme = company('acme.example').id;
    const { items } = await get<Page<Person>>(`/api/v1/people?companyId=${acme}`);
    expect(items.map((p) => p.email)).toEqual(['ada@acme.example', 'bob@acme.example']);
    const ada = person('ada@acme.example');
    expect(await get<Person>(`/api/v1/people/${ada.id}`)).toEqual(ada);
  });
});

describe('companies', () => {
  it('lists companies by domain with their number of people, filters and gets one', async () => {
    const { items } = await get<Page<Company>>('/api/v1/companies');
    expect(items.map((c) => [c.domain, c.peopleCount])).toEqual([
      ['acme.example', 2],
      ['globex.example', 1],
    ]);
    const byQ = await get<Page<Company>>('/api/v1/companies?q=GLOB');
    expect(byQ.items.map((c) => c.domain)).toEqual(['globex.example']);
    const byDomain = await get<Page<Company>>('/api/v1/companies?domain=Acme.Example');
    expect(byDomain.items.map((c) => c.domain)).toEqual(['acme.example']);
    const acme = company('acme.example');
    expect(await get<Company>(`/api/v1/companies/${acme.id}`)).toEqual(acme);
  });
});

describe('pagination', () => {
  it('walks every person, company and timeline item exactly once with small pages', async () => {
    const everyone = await get<Page<Person>>('/api/v1/people');
    for (const limit of [1, 2]) {
      const people = await walk('/api/v1/people', limit);
      expect(people.keys).toEqual(everyone.items.map((p) => p.id));
      expect(people.pages).toBe(Math.ceil(everyone.items.length / limit));
    }
    const filtered = await walk('/api/v1/people?q=example', 1);
    expect(filtered.keys).toHaveLength(3);
    const companyWalk = await walk('/api/v1/companies', 1, 'domain');
    expect(companyWalk.keys).toEqual(['acme.example', 'globex.example']);
    const acme = company('acme.example').id;
    const full = await get<Page<TimelineItem>>(`/api/v1/companies/${acme}/timeline`);
    expect(full.items.length).toBeGreaterThan(3);
    const timeline = await walk(`/api/v1/companies/${acme}/timeline`, 2);
    expect(timeline.keys).toEqual(full.items.map((a) => a.id));
  });
});

describe('timelines', () => {
  it('gives a person’s activities newest first, each with its email or meeting', async () => {
    const ada = person('ada@acme.example');
    const { items } = await get<Page<TimelineItem>>(`/api/v1/people/${ada.id}/timeline`);
    expect(items.map((a) => [a.type, a.occurredAt, a.email?.subject ?? a.meeting?.title])).toEqual([
      ['MEETING_SCHEDULED', '2026-10-10T14:00:00.000Z', 'Pricing call'],
      ['EMAIL_SENT', '2026-10-06T10:00:00.000Z', 'Our pricing'],
      ['EMAIL_RECEIVED', '2026-10-05T10:00:00.000Z', 'Pricing question'],
    ]);
    expect(items[1]).toMatchObject({
      personEmail: 'ada@acme.example',
      companyDomain: 'acme.example',
      internetMessageId: '<m2@mine.example>',
      email: { direction: 'outbound', mailboxId, internetMessageId: '<m2@mine.example>' },
      meeting: null,
    });
    expect(items[0]).toMatchObject({
      email: null,
      meeting: { title: 'Pricing call', status: 'confirmed', allDay: false },
    });
  });

  it('gives a company’s activities across its people, newest first', async () => {
    const { items } = await get<Page<TimelineItem>>(
      `/api/v1/companies/${company('acme.example').id}/timeline`,
    );
    expect(items.map((a) => [a.type, a.occurredAt])).toEqual([
      ['MEETING_SCHEDULED', '2026-10-12T00:00:00.000Z'],
      ['MEETING_SCHEDULED', '2026-10-10T14:00:00.000Z'],
      ['EMAIL_SENT', '2026-10-06T10:00:00.000Z'],
      ['EMAIL_SENT', '2026-10-06T10:00:00.000Z'],
      ['EMAIL_RECEIVED', '2026-10-05T10:00:00.000Z'],
    ]);
    expect(items.slice(0, 2).map((a) => a.personEmail)).toEqual([
      'bob@acme.example',
      'ada@acme.example',
    ]);
    // The message to Ada and Bob is one activity each; ties on occurredAt go by id, descending.
    const sent = items.filter((a) => a.type === 'EMAIL_SENT');
    expect(sent.map((a) => a.personEmail).sort()).toEqual(['ada@acme.example', 'bob@acme.example']);
    expect(sent.map((a) => a.id)).toEqual(
      sent
        .map((a) => a.id)
        .sort()
        .reverse(),
    );
    expect(new Set(sent.map((a) => a.email?.id)).size).toBe(1);
  });
});

describe('calendar', () => {
  it('lists each occurrence in the window: all-day, recurring and cancelled ones', async () => {
    const { items } = await get<{ items: CalendarItem[] }>(
      '/api/v1/calendar?from=2026-10-09T00:00:00Z&to=2026-11-01T00:00:00Z',
    );
    expect(items.map((e) => [e.title, e.startsAt, e.allDay, e.status, e.kind])).toEqual([
      ['Pricing call', '2026-10-10T14:00:00.000Z', false, 'confirmed', 'single'],
      ['Offsite', '2026-10-12T00:00:00.000Z', true, 'confirmed', 'single'],
      ['Weekly sync', '2026-10-13T09:00:00.000Z', false, 'confirmed', 'instance'],
      ['Weekly sync', '2026-10-20T09:00:00.000Z', false, 'confirmed', 'instance'],
      ['Weekly sync', '2026-10-27T09:00:00.000Z', false, 'cancelled', 'instance'],
    ]);
    expect(items[1]).toMatchObject({ startDate: '2026-10-12', mailboxes: [REP] });
    expect(items[0]?.attendees).toEqual([
      expect.objectContaining({ email: REP, personId: null }),
      expect.objectContaining({
        email: 'ada@acme.example',
        personEmail: 'ada@acme.example',
        personId: person('ada@acme.example').id,
      }),
    ]);
  });

  it('narrows by window, person and mailbox', async () => {
    const titles = async (query: string) =>
      (await get<{ items: CalendarItem[] }>(`/api/v1/calendar?${query}`)).items.map(
        (e) => `${e.title} ${e.startsAt ?? ''}`,
      );
    const window = 'from=2026-10-12T00:00:00Z&to=2026-10-14T00:00:00Z';
    expect(await titles(window)).toEqual([
      'Offsite 2026-10-12T00:00:00.000Z',
      'Weekly sync 2026-10-13T09:00:00.000Z',
    ]);
    const month = 'from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z';
    expect(await titles(`${month}&personId=${person('bob@acme.example').id}`)).toEqual([
      'Offsite 2026-10-12T00:00:00.000Z',
    ]);
    expect(await titles(`${month}&personEmail=ADA@acme.example`)).toEqual([
      'Pricing call 2026-10-10T14:00:00.000Z',
    ]);
    expect(await titles(`${month}&mailboxId=${mailboxId}`)).toHaveLength(5);
  });

  it('is what the calendar command prints (one read model); cancelled ones on request', async () => {
    const [from, to] = ['2026-10-09T00:00:00Z', '2026-11-01T00:00:00Z'];
    const { items } = await get<{ items: CalendarItem[] }>(
      `/api/v1/calendar?from=${from}&to=${to}`,
    );
    const env = {
      DATABASE_URL: testDatabaseUrl(),
      MAILROOM_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    const args = ['calendar', '--workspace', api.workspaceId, '--from', from, '--to', to];
    const all = json<{ events: CalendarItem[] }>(
      await runCli([...args, '--include-cancelled'], env),
    );
    expect(all.events).toEqual(items);
    const live = json<{ events: CalendarItem[] }>(await runCli(args, env));
    expect(live.events).toEqual(items.filter((e) => e.status !== 'cancelled'));
    expect(live.events).toHaveLength(4);
  });
});

describe('PATCH /people/{id}', () => {
  it('keeps edited names and company through a later ingest; unedited fields still sync', async () => {
    const h = await startApi(orm);
    try {
      const mb = await createMailbox(orm, h.workspaceId, REP);
      const mail = (from: string, id: string, date: string) =>
        buildEml({ from, to: [REP], messageId: `<${id}@x>`, date });
      await ingestRaw(orm, pool, h.workspaceId, mb, [
        mail('Dee Old <dee@initech.example>', 'd1', 'Mon, 05 Oct 2026 10:00:00 +0000'),
        mail('Eve Old <eve@initech.example>', 'e1', 'Mon, 05 Oct 2026 10:00:00 +0000'),
      ]);
      const list = (await h.call('GET', '/api/v1/people')).json<Page<Person>>().items;
      const [dee, eve] = list;
      expect([dee?.email, eve?.email]).toEqual(['dee@initech.example', 'eve@initech.example']);
      const patched = await h.call('PATCH', `/api/v1/people/${dee?.id ?? ''}`, {
        body: { firstName: 'Deirdre', lastName: 'Edited', companyId: null },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        firstName: 'Deirdre',
        lastName: 'Edited',
        companyId: null,
        companyDomain: null,
        editedFields: ['companyId', 'firstName', 'lastName'],
      });

      // Newer mail from both, with other display names: only the unedited person is renamed.
      await ingestRaw(orm, pool, h.workspaceId, mb, [
        mail('Dee New <dee@initech.example>', 'd2', 'Tue, 06 Oct 2026 10:00:00 +0000'),
        mail('Eve New <eve@initech.example>', 'e2', 'Tue, 06 Oct 2026 10:00:00 +0000'),
      ]);
      const after = async (id: string) =>
        (await h.call('GET', `/api/v1/people/${id}`)).json<Person>();
      expect(await after(dee?.id ?? '')).toMatchObject({
        firstName: 'Deirdre',
        lastName: 'Edited',
        companyId: null,
      });
      expect(await after(eve?.id ?? '')).toMatchObject({
        firstName: 'Eve',
        lastName: 'New',
        companyDomain: 'initech.example',
      });

      // A company of the workspace can be set; the edit list keeps each field once.
      const initech = (await h.call('GET', '/api/v1/companies')).json<Page<Company>>().items[0];
      const moved = await h.call('PATCH', `/api/v1/people/${dee?.id ?? ''}`, {
        body: { companyId: initech?.id },
      });
      expect(moved.json()).toMatchObject({
        companyDomain: 'initech.example',
        editedFields: ['companyId', 'firstName', 'lastName'],
      });
    } finally {
      await h.close();
    }
  });

  it('refuses an empty body, unknown fields and another workspace’s company, naming them', async () => {
    const ada = person('ada@acme.example').id;
    const theirs = await startApi(orm);
    try {
      const mb = await createMailbox(orm, theirs.workspaceId, REP);
      await ingestRaw(orm, pool, theirs.workspaceId, mb, [
        buildEml({ from: 'Zed <zed@umbrella.example>', to: [REP], messageId: '<z@x>' }),
      ]);
      const umbrella = (await theirs.call('GET', '/api/v1/companies')).json<Page<Company>>();
      const cases: [unknown, RegExp][] = [
        [{}, /^body: give at least one of firstName, lastName, companyId/],
        [{ nickname: 'A' }, /^body: /],
        [{ companyId: 'nope' }, /^body\.companyId: /],
        [{ companyId: umbrella.items[0]?.id }, /^body\.companyId: no company/],
      ];
      for (const [body, message] of cases) {
        const res = await api.call('PATCH', `/api/v1/people/${ada}`, { body });
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json<{ error: { message: string } }>().error.message).toMatch(message);
      }
      expect(await get<Person>(`/api/v1/people/${ada}`)).toEqual(person('ada@acme.example'));
    } finally {
      await theirs.close();
    }
  });
});

describe('tenancy and errors', () => {
  it('shows another workspace nothing: empty lists and 404 on every id', async () => {
    const as = api.other.key;
    for (const url of [
      '/api/v1/people',
      '/api/v1/companies',
      `/api/v1/people?companyId=${company('acme.example').id}`,
    ]) {
      expect((await get<Page<unknown>>(url, as)).items).toEqual([]);
    }
    const calendar = await get<{ items: unknown[] }>(
      `/api/v1/calendar?from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z&mailboxId=${mailboxId}`,
      as,
    );
    expect(calendar.items).toEqual([]);
    const ada = person('ada@acme.example').id;
    const acme = company('acme.example').id;
    const calls: ['GET' | 'PATCH', string, unknown?][] = [
      ['GET', `/api/v1/people/${ada}`],
      ['PATCH', `/api/v1/people/${ada}`, { firstName: 'Mallory' }],
      ['GET', `/api/v1/people/${ada}/timeline`],
      ['GET', `/api/v1/companies/${acme}`],
      ['GET', `/api/v1/companies/${acme}/timeline`],
    ];
    for (const [method, url, body] of calls) {
      const res = await api.call(method, url, { as, body });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    }
    expect((await get<Person>(`/api/v1/people/${ada}`)).firstName).toBe('Ada');
  });

  it.each([
    ['/api/v1/people?limit=0', /^querystring\.limit: /],
    ['/api/v1/people?limit=201', /^querystring\.limit: /],
    ['/api/v1/people?cursor=nonsense', /^cursor: /],
    ['/api/v1/people?companyId=acme', /^querystring\.companyId: /],
    ['/api/v1/companies?cursor=WyJhIiwxXQ', /^cursor: /],
    ['/api/v1/people/not-a-uuid/timeline', /^params\.id: /],
    [
      '/api/v1/people/00000000-0000-4000-8000-000000000000/timeline?cursor=WyJ4IiwieSJd',
      /^cursor: /,
    ],
    ['/api/v1/calendar?to=2026-10-02T00:00:00Z', /^querystring\.from: /],
    ['/api/v1/calendar?from=yesterday&to=2026-10-02T00:00:00Z', /^querystring\.from: /],
    ['/api/v1/calendar?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z', /^querystring\.to: /],
    ['/api/v1/calendar?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z', /^querystring\.to: /],
    [
      '/api/v1/calendar?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z&personId=x',
      /^querystring\.personId: /,
    ],
  ])('%s is a 400 naming the parameter', async (url, message) => {
    const res = await api.call('GET', url);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string; message: string } }>().error).toEqual({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(message) as string,
    });
  });

  it('answers 404 for an id that does not exist', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const url of [
      `/api/v1/people/${missing}`,
      `/api/v1/companies/${missing}`,
      `/api/v1/companies/${missing}/timeline`,
    ]) {
      expect((await api.call('GET', url)).statusCode, url).toBe(404);
    }
  });
});
