import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import {
  listEngagementHits,
  type EngagementHitInput,
} from '../../src/db/repositories/tracking.repository.ts';
import { createGroupCommit } from '../../src/engagement/group-commit.ts';
import { createHitRecorder } from '../../src/engagement/record-hit.ts';
import { writeHitBatch, type QueuedHit } from '../../src/engagement/write-hit-batch.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import { type TrackingSigner } from '../../src/tracking/tracking-token.ts';
import type { ApiHarness } from '../helpers/api-harness.ts';
import {
  HUMAN_UA,
  startTrackingApi,
  stopTrackingApi,
  storeSentMessage,
  storeToken,
} from '../helpers/tracking-fixture.ts';

/**
 * The tracking endpoints under concurrency: hits are stored by a group-commit writer (many hits,
 * one transaction), so these check what batching must not change: every hit stored before its
 * answer, the dedupe of activities and events, the click-burst rule across hits still queued, one
 * bad hit not losing its batch, and a shutdown that waits for the hits being stored.
 */
const REP = 'rep@mine.example';
const ADA = 'ada@acme.example';
const CRAWLER_UA = 'Googlebot/2.1 (+http://www.google.com/bot.html)';

let orm: Orm;
let pool: ParsePool;
let api: ApiHarness;
let signer: TrackingSigner;
let mailboxId: string;

beforeAll(async () => {
  ({ orm, pool, api, signer, mailboxId } = await startTrackingApi({ keyId: 7, rep: REP }));
});

afterAll(() => stopTrackingApi({ orm, pool, api }));

/** One outbound message from the rep to Ada (sent weeks ago), by ingest; its email id. */
const sentMessage = () =>
  storeSentMessage({ orm, pool }, api.workspaceId, mailboxId, { from: REP, to: ADA });

/** Mints and stores a token; returns it with its id. */
const mint = (emailId: string, kind: 'open' | 'click', url: string | null = null) =>
  storeToken({ orm, signer }, api.workspaceId, emailId, { kind, url, recipient: ADA });

const hit = (url: string, opts: { ua?: string; method?: 'GET' | 'HEAD'; from?: string } = {}) =>
  api.app.inject({
    method: opts.method ?? 'GET',
    url,
    remoteAddress: opts.from ?? '203.0.113.5',
    headers: { 'user-agent': opts.ua ?? HUMAN_UA },
  });

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await orm.em.fork().execute<{ n: string }[]>(sql, params);
  return Number(rows[0]?.n ?? 0);
}
const storedHits = (emailId: string) =>
  count('select count(*) as n from engagement_hit where email_id = ?', [emailId]);
const activities = (emailId: string, type: string) =>
  count('select count(*) as n from activity where email_id = ? and type = ?', [emailId, type]);
const events = (emailId: string, type: string) =>
  count('select count(*) as n from outbox_event where aggregate_id = ? and type = ?', [
    emailId,
    type,
  ]);

describe('tracking hits under concurrency', () => {
  it('stores every one of 200 concurrent hits on several tokens before answering', async () => {
    const emails = [await sentMessage(), await sentMessage(), await sentMessage()];
    const targets: { url: string; emailId: string; status: number }[] = [];
    for (const emailId of emails) {
      const open = await mint(emailId, 'open');
      const links = [
        await mint(emailId, 'click', 'https://acme.example/a'),
        await mint(emailId, 'click', 'https://acme.example/b'),
        await mint(emailId, 'click', 'https://acme.example/c'),
      ];
      targets.push({ url: `/t/o/${open.token}`, emailId, status: 200 });
      for (const l of links) {
        targets.push({ url: `/t/c/${l.token}`, emailId, status: 302 });
      }
    }
    const sent = Array.from({ length: 200 }, (_, i) => targets[i % targets.length]);
    const responses = await Promise.all(
      sent.map((t, i) =>
        hit(t?.url ?? '', {
          ua: i % 3 === 0 ? CRAWLER_UA : HUMAN_UA,
          method: i % 7 === 0 ? 'HEAD' : 'GET',
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(sent.map((t) => t?.status));
    // Answered means stored: counted right after the answers, with no wait.
    for (const emailId of emails) {
      expect(await storedHits(emailId)).toBe(sent.filter((t) => t?.emailId === emailId).length);
    }
  });

  it('logs one EMAIL_OPENED and one email.opened for 50 concurrent human opens', async () => {
    const emailId = await sentMessage();
    const { token } = await mint(emailId, 'open');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        hit(`/t/o/${token}`, { from: `198.51.100.${String(i + 1)}` }),
      ),
    );
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits).toHaveLength(50);
    expect(hits.every((h) => h.classification === 'human')).toBe(true);
    expect(await activities(emailId, 'EMAIL_OPENED')).toBe(1);
    expect(await events(emailId, 'email.opened')).toBe(1);
  });

  it('counts concurrent clicks of every link of a message as a burst, queued or stored', async () => {
    const emailId = await sentMessage();
    const a = await mint(emailId, 'click', 'https://acme.example/a');
    const b = await mint(emailId, 'click', 'https://acme.example/b');
    // Sent together: each is classified while the other may still be queued, unstored.
    const responses = await Promise.all([hit(`/t/c/${a.token}`), hit(`/t/c/${b.token}`)]);
    expect(responses.map((r) => r.statusCode)).toEqual([302, 302]);
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => [h.classification, h.reason]).sort()).toEqual([
      ['human', null],
      ['machine', 'click-burst'],
    ]);
    expect(await activities(emailId, 'EMAIL_CLICKED')).toBe(1);
    expect(await events(emailId, 'email.clicked')).toBe(1);
  });
});

describe('token cache', () => {
  it("reads a cached click token's recent clicks fresh, with another process's", async () => {
    const emailId = await sentMessage();
    const a = await mint(emailId, 'click', 'https://acme.example/a');
    const b = await mint(emailId, 'click', 'https://acme.example/b');
    // Two API processes: each its own token cache and its own recent clicks.
    const recorder = () =>
      createHitRecorder({
        keys: api.config.tracking.keys,
        trustedProxies: [],
        db: () => orm.em.fork(),
      });
    const [first, second] = [recorder(), recorder()];
    const click = (token: string) => ({
      kind: 'click' as const,
      token,
      method: 'GET',
      userAgent: HUMAN_UA,
      socketAddress: '203.0.113.5',
      forwardedFor: undefined,
    });
    // The first process caches link a; the second clicks link b.
    expect((await first.record(click(a.token))).classification?.classification).toBe('human');
    expect((await second.record(click(b.token))).classification?.reason).toBe('click-burst');
    // Link a again, from the first process's cache: link b's click (stored by the other process,
    // after a was cached) is in its window, so both links are covered: a burst.
    expect((await first.record(click(a.token))).classification?.reason).toBe('click-burst');
    await Promise.all([first.close(), second.close()]);
  });
});

describe('hit writer', () => {
  it('stores the other hits of a batch in which one fails', async () => {
    const emailId = await sentMessage();
    const open = await mint(emailId, 'open');
    const click = await mint(emailId, 'click', 'https://acme.example/a');
    const stored = (tokenId: string, kind: 'open' | 'click'): EngagementHitInput => ({
      workspaceId: api.workspaceId,
      tokenId,
      emailId,
      kind,
      url: kind === 'click' ? 'https://acme.example/a' : null,
      ip: '203.0.113.5',
      userAgent: CRAWLER_UA,
      method: 'GET',
      classification: 'machine',
      reason: 'bot-user-agent',
      at: new Date(),
    });
    const writer = createGroupCommit<QueuedHit>({
      maxBatch: 10,
      write: (hits) => orm.em.fork().transactional((tx) => writeHitBatch(tx, hits)),
    });
    // Submitted in one turn: one batch. The middle hit's token does not exist (its message was
    // deleted meanwhile): the foreign key fails the batch's transaction.
    const results = await Promise.allSettled([
      writer.submit({ stored: stored(open.tokenId, 'open'), human: null }),
      writer.submit({ stored: stored('f'.repeat(32), 'open'), human: null }),
      writer.submit({ stored: stored(click.tokenId, 'click'), human: null }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const hits = await listEngagementHits(orm.em.fork(), emailId);
    expect(hits.map((h) => h.tokenId).sort()).toEqual([open.tokenId, click.tokenId].sort());
  });

  it('stores the hits being recorded before close() resolves', async () => {
    const emailId = await sentMessage();
    const { token } = await mint(emailId, 'open');
    const recorder = createHitRecorder({
      keys: api.config.tracking.keys,
      trustedProxies: [],
      db: () => orm.em.fork(),
    });
    const recording = Array.from({ length: 30 }, () =>
      recorder.record({
        kind: 'open',
        token,
        method: 'GET',
        userAgent: HUMAN_UA,
        socketAddress: '203.0.113.5',
        forwardedFor: undefined,
      }),
    );
    await recorder.close();
    // Counted before awaiting any hit: close() alone must have waited for all of them.
    expect(await storedHits(emailId)).toBe(30);
    expect((await Promise.all(recording)).every((o) => o.known)).toBe(true);
  });
});
