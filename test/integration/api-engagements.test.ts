import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import {
  insertEngagementHit,
  listEngagementHits,
} from '../../src/db/repositories/tracking.repository.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import type { EngagementPage } from '../../src/read-models/api-engagement.schema.ts';
import { type TrackingSigner } from '../../src/tracking/tracking-token.ts';
import type { ApiHarness } from '../helpers/api-harness.ts';
import { createMailbox } from '../helpers/test-orm.ts';
import {
  HUMAN_UA,
  startTrackingApi,
  stopTrackingApi,
  storeSentMessage,
  storeToken,
} from '../helpers/tracking-fixture.ts';

/**
 * `GET /api/v1/emails/{id}/engagements` (issue 13): an email's hits newest first, a page at a
 * time, with counts over all of them. Hits are made on the real pixel and click endpoints of the
 * same app (so classification is the recorder's), and every response is checked against the
 * OpenAPI document by the harness.
 */
const REP = 'rep@mine.example';
const ADA = 'Ada@Acme.example';
/** In the shipped `microsoft-eop` list (40.92.0.0/15, 40.107.0.0/16). */
const EOP_IPS = ['40.92.1.1', '40.107.3.4'];

let orm: Orm;
let pool: ParsePool;
let api: ApiHarness;
let signer: TrackingSigner;
let mailboxId: string;

beforeAll(async () => {
  ({ orm, pool, api, signer, mailboxId } = await startTrackingApi({ keyId: 3, rep: REP }));
});

afterAll(() => stopTrackingApi({ orm, pool, api }));

/** One outbound message from the rep to Ada (sent weeks ago), by ingest; its email id. */
const sentMessage = (workspaceId = api.workspaceId, mailbox = mailboxId) =>
  storeSentMessage({ orm, pool }, workspaceId, mailbox, { from: REP, to: ADA });

/** A stored token of `emailId` (attributed to Ada); the signed token and its stored id. */
const mint = (emailId: string, kind: 'open' | 'click', url: string | null = null) =>
  storeToken({ orm, signer }, api.workspaceId, emailId, { kind, url, recipient: ADA });

const hit = (url: string, opts: { method?: 'GET' | 'HEAD'; ua?: string; from?: string } = {}) =>
  api.app.inject({
    method: opts.method ?? 'GET',
    url,
    remoteAddress: opts.from ?? '203.0.113.5',
    headers: { 'user-agent': opts.ua ?? HUMAN_UA },
  });

const engagements = async (emailId: string, query = '') => {
  const res = await api.call('GET', `/api/v1/emails/${emailId}/engagements${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<EngagementPage>();
};

/** Every page of an email's engagements with `limit`, following nextCursor. */
async function walk(emailId: string, limit: number): Promise<EngagementPage[]> {
  const pages: EngagementPage[] = [];
  let cursor: string | null = null;
  do {
    const page = await engagements(
      emailId,
      `?limit=${String(limit)}${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

const A = 'https://acme.example/a';
const B = 'https://acme.example/b';

/** Opens and clicks of every kind the recorder tells apart, on one message. */
async function engagedMessage(): Promise<string> {
  const emailId = await sentMessage();
  const open = await mint(emailId, 'open');
  const a = await mint(emailId, 'click', A);
  const b = await mint(emailId, 'click', B);
  // A third link, never clicked: two links clicked within seconds are not a scanner's burst.
  await mint(emailId, 'click', 'https://acme.example/c');
  await hit(`/t/o/${open.token}`);
  await hit(`/t/o/${open.token}`, { method: 'HEAD' });
  await hit(`/t/o/${open.token}`, {
    ua: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  });
  await hit(`/t/o/${open.token}`, { from: EOP_IPS[0] });
  await hit(`/t/o/${open.token}`, { ua: 'Googlebot/2.1 (+http://www.google.com/bot.html)' });
  await hit(`/t/c/${a.token}`);
  await hit(`/t/c/${a.token}`, { method: 'HEAD' });
  await hit(`/t/c/${b.token}`);
  await hit(`/t/c/${b.token}`, { from: EOP_IPS[1] });
  return emailId;
}

describe('GET /api/v1/emails/{id}/engagements', () => {
  it('counts opens and clicks, human and machine, machine by full reason, clicks by link', async () => {
    const emailId = await engagedMessage();
    const { counts, items } = await engagements(emailId);
    expect(counts).toEqual({
      opens: {
        total: 5,
        human: 1,
        machine: 4,
        machineByReason: {
          'head-request': 1,
          'image-proxy': 1,
          'proxy-ip:microsoft-eop': 1,
          'bot-user-agent': 1,
        },
      },
      clicks: {
        total: 4,
        human: 2,
        machine: 2,
        machineByReason: { 'head-request': 1, 'proxy-ip:microsoft-eop': 1 },
        byUrl: [
          { url: A, human: 1, machine: 1 },
          { url: B, human: 1, machine: 1 },
        ],
      },
    });
    expect(items).toHaveLength(9);
    // Each item is the stored hit, attributed to the token's recipient (stored lower-case).
    expect(items.find((i) => i.method === 'HEAD' && i.type === 'click')).toEqual({
      id: expect.stringMatching(/^\d+$/) as unknown,
      type: 'click',
      url: A,
      personEmail: 'ada@acme.example',
      classification: 'machine',
      reason: 'head-request',
      attribution: 'single',
      method: 'HEAD',
      userAgent: HUMAN_UA,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
    });
    expect(items.filter((i) => i.type === 'open').every((i) => i.url === null)).toBe(true);
  });

  it('pages newest first, and counts every hit on every page', async () => {
    const emailId = await engagedMessage();
    const all = await engagements(emailId);
    const pages = await walk(emailId, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 2, 2, 1]);
    for (const p of pages) {
      expect(p.counts).toEqual(all.counts);
    }
    const walked = pages.flatMap((p) => p.items);
    expect(walked).toEqual(all.items);
    // Newest first: the stored order (oldest first, by time then id) reversed.
    const stored = await listEngagementHits(orm.em.fork(), emailId);
    expect(walked.map((i) => [i.method, i.url, i.reason])).toEqual(
      stored.reverse().map((h) => [h.method, h.url, h.reason]),
    );
  });

  it('loses no hit between pages when hits share an instant', async () => {
    const emailId = await sentMessage();
    const { tokenId } = await mint(emailId, 'open');
    const at = new Date('2026-11-03T09:00:00.123456Z');
    for (let i = 0; i < 5; i++) {
      await insertEngagementHit(orm.em.fork(), {
        workspaceId: api.workspaceId,
        tokenId,
        emailId,
        kind: 'open',
        url: null,
        ip: `198.51.100.${String(i)}`,
        userAgent: HUMAN_UA,
        method: 'GET',
        classification: 'human',
        reason: null,
        at,
      });
    }
    const walked = (await walk(emailId, 2)).flatMap((p) => p.items);
    const ids = walked.map((i) => BigInt(i.id));
    expect(ids).toHaveLength(5);
    // Same instant: newest first is the later-stored hit first, each exactly once.
    expect(ids).toEqual([...ids].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
    expect(new Set(ids).size).toBe(5);
    expect(walked.every((i) => i.occurredAt === '2026-11-03T09:00:00.123Z')).toBe(true);
  });

  it('answers an email without hits with no items and zero counts', async () => {
    const emailId = await sentMessage();
    const zero = { total: 0, human: 0, machine: 0, machineByReason: {} };
    expect(await engagements(emailId)).toEqual({
      items: [],
      nextCursor: null,
      counts: { opens: zero, clicks: { ...zero, byUrl: [] } },
    });
  });

  it('is 404 for another workspace’s email, and for one that does not exist', async () => {
    const emailId = await engagedMessage();
    const theirMailbox = await createMailbox(orm, api.other.workspaceId, 'rep@theirs.example');
    const theirEmail = await sentMessage(api.other.workspaceId, theirMailbox);
    for (const [id, as] of [
      [emailId, api.other.key],
      [theirEmail, api.key],
      [randomUUID(), api.key],
    ] as const) {
      const res = await api.call('GET', `/api/v1/emails/${id}/engagements`, { as });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('acme.example/a');
    }
    // The owner still sees them.
    expect((await engagements(emailId)).counts.opens.total).toBe(5);
  });

  it('refuses a cursor it did not give out, naming it', async () => {
    const emailId = await engagedMessage();
    const res = await api.call('GET', `/api/v1/emails/${emailId}/engagements?cursor=bm9wZQ`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^cursor:/);
  });
});
