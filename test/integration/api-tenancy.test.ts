import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import { loadIngestTarget } from '../../src/ingest/load-ingest-target.ts';
import { writeCalendarChanges } from '../../src/ingest/write-calendar-events.ts';
import { createWebhook } from '../../src/webhooks/create-webhook.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { exportOf, ingestRaw, testPool } from '../helpers/ingest.ts';
import { createMailbox, openTestOrm } from '../helpers/test-orm.ts';

/**
 * The tenancy walk: every operation of the OpenAPI document, called with one workspace's key and
 * the other workspace's ids (in the path and in every `…Id` filter), must answer as if the ids did
 * not exist, and no list may show the other workspace's rows. A route added later is walked too;
 * one whose path names an id this walk does not know fails until it is taught here.
 */
interface Ids {
  mailbox: string;
  email: string;
  person: string;
  company: string;
  webhook: string;
}

let orm: Orm;
let pool: ParsePool;
let api: ApiHarness;
let mine: Ids;
let theirs: Ids;

async function seed(workspaceId: string, tag: string): Promise<Ids> {
  const mailbox = await createMailbox(orm, workspaceId, `rep@${tag}-crm.example`);
  await ingestRaw(orm, pool, workspaceId, mailbox, [
    buildEml({
      from: `Ana Buyer <ana@${tag}-customer.example>`,
      to: [`rep@${tag}-crm.example`],
      subject: `Pricing for ${tag}`,
      messageId: `<pricing-${tag}@customer.example>`,
    }),
  ]);
  // A meeting with Ana, so the calendar has an attendee linked to a person of this workspace.
  await writeCalendarChanges(
    orm.em.fork(),
    await loadIngestTarget(orm.em.fork(), workspaceId, mailbox),
    'primary',
    null,
    [
      {
        type: 'upsert',
        event: {
          providerEventId: `call-${tag}`,
          icalUid: `call-${tag}@crm.example`,
          kind: 'single',
          seriesId: null,
          originalStart: null,
          status: 'confirmed',
          title: `Call with ${tag}`,
          description: '',
          location: '',
          allDay: false,
          startsAt: new Date('2026-10-05T14:00:00Z'),
          endsAt: new Date('2026-10-05T15:00:00Z'),
          startDate: null,
          endDate: null,
          timeZone: null,
          organizer: null,
          attendees: [
            {
              email: `ana@${tag}-customer.example`,
              name: 'Ana Buyer',
              responseStatus: 'accepted',
              optional: false,
              resource: false,
            },
          ],
          conferenceUrl: null,
          recurrence: [],
          providerUpdatedAt: null,
        },
      },
    ],
  );
  const data = await exportOf(orm, workspaceId);
  const { id: webhook } = await createWebhook(
    { em: orm.em.fork(), secretBox: api.services.secretBox(), egress: 'private' },
    { workspaceId, url: `http://127.0.0.1:9/${tag}`, eventTypes: [] },
  );
  const [email] = data.emails;
  const [person] = data.people;
  const [company] = data.companies;
  if (!email || !person || !company) {
    throw new Error(`seed of ${tag} made no email, person or company`);
  }
  return { mailbox, email: email.id, person: person.id, company: company.id, webhook };
}

beforeAll(async () => {
  orm = await openTestOrm();
  pool = testPool();
  api = await startApi(orm);
  mine = await seed(api.workspaceId, 'mine');
  theirs = await seed(api.other.workspaceId, 'theirs');
});
afterAll(async () => {
  await api.close();
  await pool.close();
  await orm.close(true);
});

/** Which kind of id a path's `{id}` is, by the collection it follows. */
const KIND_BY_COLLECTION: Record<string, keyof Ids> = {
  mailboxes: 'mailbox',
  emails: 'email',
  people: 'person',
  companies: 'company',
  webhooks: 'webhook',
};

/** Minimal valid bodies, so a refusal is about the id and not about the body. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/people/{id}': { firstName: 'Mallory' },
};

/** Query parameters a list requires, so a refusal is about the ids and not about a missing one. */
const REQUIRED_QUERY: Record<string, string> = {
  '/api/v1/calendar': 'from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z',
};

/** Query filters naming an id, and the kind of id they take. */
const FILTER_KIND: Record<string, keyof Ids> = {
  mailboxId: 'mailbox',
  personId: 'person',
  companyId: 'company',
};

interface Operation {
  parameters?: { name: string; in: string }[];
}

it('walks every operation with the other workspace’s ids: 404s, and nothing of theirs in any list', async () => {
  const doc = (await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<{
    paths: Record<string, Record<string, Operation>>;
  }>();
  const theirIds = [theirs.mailbox, theirs.email, theirs.person, theirs.company, theirs.webhook];
  const leaked = (body: string) => theirIds.filter((id) => body.includes(id));
  let walked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const verb = method.toUpperCase();
      const label = `${verb} ${path}`;
      if (path.includes('{id}')) {
        const collection = path.replace('/api/v1/', '').split('/')[0] ?? '';
        const kind = KIND_BY_COLLECTION[collection];
        expect(kind, `${label}: teach the tenancy walk this id`).toBeDefined();
        const url = path
          .replace('{id}', theirs[kind ?? 'email'])
          .replace('{eventId}', 'evt_0000000000000000001');
        const res = await api.call(verb, url, { body: BODIES[label] });
        expect({ label, status: res.statusCode }).toEqual({ label, status: 404 });
        walked++;
        continue;
      }
      if (verb !== 'GET' || path.includes('{')) {
        continue; // creates (POST) act in the key's own workspace; `{provider}` names no row
      }
      const required = REQUIRED_QUERY[path];
      const list = required === undefined ? `${path}?` : `${path}?${required}&`;
      const base = await api.call('GET', list);
      expect({ label, status: base.statusCode }).toEqual({ label, status: 200 });
      expect({ label, leaked: leaked(base.body) }).toEqual({ label, leaked: [] });
      for (const p of op.parameters ?? []) {
        const kind = FILTER_KIND[p.name];
        if (p.in !== 'query' || kind === undefined) {
          continue;
        }
        const res = await api.call('GET', `${list}${p.name}=${theirs[kind]}`);
        expect([200, 404]).toContain(res.statusCode);
        expect({ label, filter: p.name, leaked: leaked(res.body) }).toEqual({
          label,
          filter: p.name,
          leaked: [],
        });
        if (res.statusCode === 200) {
          expect(res.json<{ items: unknown[] }>().items).toEqual([]);
        }
      }
      walked++;
    }
  }
  expect(walked).toBeGreaterThan(0);
  // The other workspace's rows are untouched by the walk (no PATCH or DELETE went through).
  const after = await exportOf(orm, api.other.workspaceId);
  expect(after.people.find((p) => p.id === theirs.person)?.firstName).toBe('Ana');
  const theirMailbox = await api.call('GET', `/api/v1/mailboxes/${theirs.mailbox}`, {
    as: api.other.key,
  });
  expect(theirMailbox.json()).toMatchObject({ status: 'active' });
  // And the owner's own ids still answer.
  for (const url of [`/api/v1/mailboxes/${mine.mailbox}`]) {
    expect((await api.call('GET', url)).statusCode).toBe(200);
  }
  const calendar = await api.call(
    'GET',
    `/api/v1/calendar?${REQUIRED_QUERY['/api/v1/calendar'] ?? ''}`,
  );
  expect(calendar.json<{ items: { title: string }[] }>().items.map((e) => e.title)).toEqual([
    'Call with mine',
  ]);
});

it('sends only from its own mailboxes, and replies only to its own emails', async () => {
  const body = (over: Record<string, unknown>) => ({
    mailboxId: mine.mailbox,
    to: [{ email: 'ana@client.example' }],
    subject: 'Hello',
    text: 'Hi',
    ...over,
  });
  const fromTheirs = await api.call('POST', '/api/v1/messages', {
    body: body({ mailboxId: theirs.mailbox }),
  });
  expect(fromTheirs.statusCode).toBe(404);
  const toTheirs = await api.call('POST', '/api/v1/messages', {
    body: body({ inReplyToEmailId: theirs.email }),
  });
  expect(toTheirs.statusCode).toBe(404);
});
