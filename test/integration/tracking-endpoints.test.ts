import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import {
  insertTrackingTokens,
  listEngagementHits,
} from '../../src/db/repositories/tracking.repository.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import { createTrackingSigner, type TrackingSigner } from '../../src/tracking/tracking-token.ts';
import type { ApiHarness } from '../helpers/api-harness.ts';
import { exportOf } from '../helpers/ingest.ts';
import {
  HUMAN_UA,
  startTrackingApi,
  stopTrackingApi,
  storeSentMessage,
  storeToken,
} from '../helpers/tracking-fixture.ts';

/**
 * The public pixel and click endpoints (issue 13, items 3 and 4) on the app `npm start` serves,
 * with real PostgreSQL: tokens minted with the configured key and stored with the repository a
 * sender uses, for outbound mail written by the real ingest path.
 */
const REP = 'rep@mine.example';
const ADA = 'ada@acme.example';

let orm: Orm;
let pool: ParsePool;
let api: ApiHarness;
let signer: TrackingSigner;
let mailboxId: string;

beforeAll(async () => {
  ({ orm, pool, api, signer, mailboxId } = await startTrackingApi({
    keyId: 7,
    rep: REP,
    env: { MAILROOM_TRUSTED_PROXIES: '10.0.0.0/8' },
  }));
});

afterAll(() => stopTrackingApi({ orm, pool, api }));

/** One outbound message from the rep to Ada (sent weeks ago), by ingest; its email id. */
const sentMessage = () =>
  storeSentMessage({ orm, pool }, api.workspaceId, mailboxId, { from: REP, to: ADA });

const mint = async (emailId: string, kind: 'open' | 'click', url: string | null = null) =>
  (await storeToken({ orm, signer }, api.workspaceId, emailId, { kind, url, recipient: ADA }))
    .token;

/** A token with one character of its signature changed. */
const tampered = (token: string) =>
  token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.slice(-1);

const hit = (
  url: string,
  opts: { method?: 'GET' | 'HEAD'; ua?: string | null; from?: string; xff?: string } = {},
) =>
  api.app.inject({
    method: opts.method ?? 'GET',
    url,
    remoteAddress: opts.from ?? '203.0.113.5',
    headers: {
      ...(opts.ua === null ? {} : { 'user-agent': opts.ua ?? HUMAN_UA }),
      ...(opts.xff === undefined ? {} : { 'x-forwarded-for': opts.xff }),
    },
  } satisfies InjectOptions);

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await orm.em.fork().execute<{ n: string }[]>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
const activities = (emailId: string, type: string) =>
  count('select count(*) as n from activity where email_id = ? and type = ?', [emailId, type]);
const events = (emailId: string, type: string) =>
  count('select count(*) as n from outbox_event where aggregate_id = ? and type = ?', [
    emailId,
    type,
  ]);

describe('tracking pixel', () => {
  it('answers a 1x1 GIF that is never cached, and stores the hit', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    const res = await hit(`/t/o/${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.rawPayload.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits).toMatchObject([
      { kind: 'open', ip: '203.0.113.5', method: 'GET', classification: 'human', reason: null },
    ]);
  });

  it('answers the GIF for a tampered or unknown token and records nothing', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    const unknown = signer.mint('open'); // valid signature, never stored
    const otherKey = createTrackingSigner({ current: { id: 7, key: randomBytes(32) } });
    for (const bad of [tampered(token), unknown, otherKey.mint('open'), 'garbage', `${token}x`]) {
      const res = await hit(`/t/o/${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(200);
      expect(res.headers['content-type']).toBe('image/gif');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    // A click token is not a pixel token.
    const click = await mint(emailId, 'click', 'https://acme.example/');
    expect((await hit(`/t/o/${click}`)).statusCode).toBe(200);
    expect(await listEngagementHits(orm.em.fork(), emailId)).toEqual([]);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(0);
  });

  it('counts a HEAD request as a machine', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    const res = await hit(`/t/o/${token}`, { method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/gif');
    expect(await listEngagementHits(orm.em.fork(), emailId)).toMatchObject([
      { method: 'HEAD', classification: 'machine', reason: 'head-request' },
    ]);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(0);
    expect(await events(emailId, 'email.opened')).toBe(0);
  });

  it('counts a crawler user agent as a machine: no activity, no event', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    await hit(`/t/o/${token}`, { ua: 'Googlebot/2.1 (+http://www.google.com/bot.html)' });
    await hit(`/t/o/${token}`, {
      ua: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
    });
    expect(await listEngagementHits(orm.em.fork(), emailId)).toMatchObject([
      { classification: 'machine', reason: 'bot-user-agent' },
      { classification: 'machine', reason: 'image-proxy' },
    ]);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(0);
    expect(await events(emailId, 'email.opened')).toBe(0);
  });

  it('logs one EMAIL_OPENED and one email.opened for human opens, however many', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    await hit(`/t/o/${token}`);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(1);
    expect(await events(emailId, 'email.opened')).toBe(1);
    await hit(`/t/o/${token}`, { from: '198.51.100.20' });
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => h.classification)).toEqual(['human', 'human']);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(1);
    expect(await events(emailId, 'email.opened')).toBe(1);
    const [event] = await orm.em
      .fork()
      .execute<{ payload: Record<string, unknown> }[]>(
        `select payload from outbox_event where aggregate_id = ? and type = 'email.opened'`,
        [emailId],
      );
    expect(event?.payload).toMatchObject({
      emailId,
      mailboxId,
      mailboxEmail: REP,
      personEmail: ADA,
      companyDomain: 'acme.example',
      userAgent: HUMAN_UA,
    });
  });
});

describe('tracking click', () => {
  it('redirects 302 to exactly the stored URL', async () => {
    const emailId = await sentMessage();
    const ascii = 'https://acme.example/pricing?plan=pro&seats=5&utm_source=x%20y#section-2';
    const token = await mint(emailId, 'click', ascii);
    const res = await hit(`/t/c/${token}`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(ascii);
    expect(res.headers['cache-control']).toBe('no-store');

    // What a header cannot carry is percent-encoded as UTF-8, as a browser following the link
    // would: the same URL once parsed.
    const unicode = 'https://acme.example/café/日本?q=naïve&x=1#über';
    const token2 = await mint(emailId, 'click', unicode);
    const res2 = await hit(`/t/c/${token2}`);
    expect(res2.statusCode).toBe(302);
    expect(res2.headers.location).toBe(
      'https://acme.example/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=na%C3%AFve&x=1#%C3%BCber',
    );
    expect(new URL(String(res2.headers.location)).href).toBe(new URL(unicode).href);

    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => h.url)).toEqual([ascii, unicode]);
  });

  it('answers 404 for a tampered, unknown or pixel token, never a redirect', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'click', 'https://acme.example/a');
    const open = await mint(emailId, 'open');
    for (const bad of [tampered(token), signer.mint('click'), open, 'x']) {
      const res = await hit(`/t/c/${encodeURIComponent(bad)}`);
      expect(res.statusCode, bad).toBe(404);
      expect(res.headers.location).toBeUndefined();
    }
    // A target in the query is ignored: the redirect only ever goes to the stored URL.
    const res = await hit(`/t/c/${token}?url=https://evil.example/`);
    expect(res.headers.location).toBe('https://acme.example/a');
    expect(await listEngagementHits(orm.em.fork(), emailId)).toHaveLength(1);
  });

  it('logs EMAIL_CLICKED once per link for human clicks, none for HEAD', async () => {
    const emailId = await sentMessage();
    const a = await mint(emailId, 'click', 'https://acme.example/a');
    const b = await mint(emailId, 'click', 'https://acme.example/b');
    // A third link, never clicked: two links clicked within seconds are not a scanner's burst.
    await mint(emailId, 'click', 'https://acme.example/c');
    const head = await hit(`/t/c/${a}`, { method: 'HEAD' });
    expect(head.statusCode).toBe(302);
    expect(await activities(emailId, 'EMAIL_CLICKED')).toBe(0);
    await hit(`/t/c/${a}`);
    await hit(`/t/c/${a}`);
    await hit(`/t/c/${b}`);
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => [h.method, h.classification, h.reason])).toEqual([
      ['HEAD', 'machine', 'head-request'],
      ['GET', 'human', null],
      ['GET', 'human', null],
      ['GET', 'human', null],
    ]);
    expect(await activities(emailId, 'EMAIL_CLICKED')).toBe(2);
    expect(await events(emailId, 'email.clicked')).toBe(2);
  });
});

describe('client address', () => {
  it('honours X-Forwarded-For only from a trusted proxy', async () => {
    const emailId = await sentMessage();
    const token = await mint(emailId, 'open');
    // From a trusted proxy: the right-most entry that is not itself trusted.
    await hit(`/t/o/${token}`, { from: '10.1.2.3', xff: '192.0.2.66, 198.51.100.7, 10.9.9.9' });
    // From anyone else, the header is ignored.
    await hit(`/t/o/${token}`, { from: '203.0.113.9', xff: '198.51.100.7' });
    // An IPv4-mapped socket address is a proxy's IPv4 address.
    await hit(`/t/o/${token}`, { from: '::ffff:10.0.0.1', xff: '198.51.100.8' });
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => h.ip)).toEqual(['198.51.100.7', '203.0.113.9', '198.51.100.8']);
  });
});

describe('export', () => {
  it('lists every stored hit as an engagement, oldest first, machine hits with their reason', async () => {
    const emailId = await sentMessage();
    const open = await mint(emailId, 'open');
    // Two recipients: the click is logged for the first external To, stored lower-case.
    const click = signer.mint('click');
    const clickId = signer.verify(click)?.tokenId ?? '';
    await insertTrackingTokens(orm.em.fork(), api.workspaceId, emailId, [
      {
        tokenId: clickId,
        kind: 'click',
        url: 'https://acme.example/pricing',
        recipient: 'Ada@ACME.example',
        attribution: 'ambiguous',
      },
    ]);
    await hit(`/t/o/${open}`, { method: 'HEAD' });
    await hit(`/t/o/${open}`);
    await hit(`/t/c/${click}`, { from: '40.92.1.1' });
    await hit(`/t/c/${click}`);

    const data = await exportOf(orm, api.workspaceId);
    const messageId = data.emails.find((e) => e.id === emailId)?.internetMessageId;
    expect(messageId).toMatch(/@mine\.example>$/);
    const mine = data.engagements.filter((g) => g.internetMessageId === messageId);
    const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown;
    const base = { internetMessageId: messageId, occurredAt: iso };
    expect(mine).toEqual([
      {
        ...base,
        type: 'open',
        personEmail: ADA,
        url: null,
        classification: 'machine',
        reason: 'head-request',
        attribution: 'single',
      },
      {
        ...base,
        type: 'open',
        personEmail: ADA,
        url: null,
        classification: 'human',
        reason: null,
        attribution: 'single',
      },
      {
        ...base,
        type: 'click',
        personEmail: 'ada@acme.example',
        url: 'https://acme.example/pricing',
        classification: 'machine',
        reason: 'proxy-ip:microsoft-eop',
        attribution: 'ambiguous',
      },
      {
        ...base,
        type: 'click',
        personEmail: 'ada@acme.example',
        url: 'https://acme.example/pricing',
        classification: 'human',
        reason: null,
        attribution: 'ambiguous',
      },
    ]);
    // The whole list is in time order, ties by storage order.
    const times = data.engagements.map((g) => g.occurredAt);
    expect(times).toEqual([...times].sort());
  });
});
