import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import type { Orm } from '../../src/db/orm.ts';
import { appendEvents } from '../../src/db/outbox.ts';
import { addDeliveries } from '../../src/db/repositories/webhook-delivery.repository.ts';
import type { EventEnvelope } from '../../src/events/envelope.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import type { ParsePool } from '../../src/mail/parse-pool.ts';
import { PurgeRunner } from '../../src/mailboxes/purge-runner.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { silentLog, startGmailHarness, type GmailHarness } from '../helpers/gmail-harness.ts';
import { exportOf, ingestRaw, testPool } from '../helpers/ingest.ts';
import { createMailbox, openTestOrm } from '../helpers/test-orm.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The mailbox lifecycle over the API (sync now, disconnect with grant revocation and background
 * purge, connect URL), the webhook routes and the event feed, against real PostgreSQL and Redis
 * and the Google emulator.
 */
let orm: Orm;
let gmail: GmailHarness;
let api: ApiHarness;
let pool: ParsePool;

const googleEnv = (h: GmailHarness) => ({
  GOOGLE_CLIENT_ID: 'test-client',
  GOOGLE_CLIENT_SECRET: 'test-secret',
  GOOGLE_API_ROOT_URL: `${h.url}/`,
  GOOGLE_OAUTH_TOKEN_URL: `${h.url}/token`,
  GOOGLE_OAUTH_AUTH_URL: `${h.url}/o/oauth2/v2/auth`,
});

beforeAll(async () => {
  orm = await openTestOrm();
  pool = testPool();
  gmail = await startGmailHarness();
  api = await startApi(orm, googleEnv(gmail));
});
afterAll(async () => {
  await api.close();
  await gmail.close();
  await pool.close();
  await orm.close(true);
});

/** A Google mailbox of `workspaceId` whose refresh token the emulator issued, sealed for the API. */
async function googleMailbox(
  workspaceId: string,
  email: string,
): Promise<{ id: string; refreshToken: string }> {
  gmail.emulator.store.user(email);
  const refreshToken = gmail.emulator.auth.issueRefreshToken(email);
  const id = await connectMailbox(orm.em.fork(), new SecretBox(api.config.encryptionKey ?? ''), {
    workspaceId,
    provider: 'google',
    email,
    refreshToken,
    aliases: [],
    autoCreatePolicy: undefined,
  });
  return { id, refreshToken };
}

/** What the emulated Google token endpoint says to a refresh with `refreshToken`. */
async function refreshAtEmulator(refreshToken: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gmail.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'test-client',
      client_secret: 'test-secret',
    }).toString(),
  });
  return { status: res.status, body: await res.json() };
}

async function emailCount(mailboxId: string): Promise<number> {
  const [row] = await orm.em
    .fork()
    .execute<{ n: string }[]>('select count(*) as n from email where mailbox_id = ?', [mailboxId]);
  return Number(row?.n);
}

/** Two emails from customers into `mailboxId` (people and companies made by the real ingest). */
async function ingestTwo(workspaceId: string, mailboxId: string, rep: string): Promise<void> {
  await ingestRaw(orm, pool, workspaceId, mailboxId, [
    buildEml({
      from: `Xena <xena@cust-${randomUUID().slice(0, 6)}.example>`,
      to: [rep],
      messageId: `<${randomUUID()}@c>`,
    }),
    buildEml({
      from: `Yuri <yuri@cust-${randomUUID().slice(0, 6)}.example>`,
      to: [rep],
      messageId: `<${randomUUID()}@c>`,
    }),
  ]);
}

type Feed = { items: EventEnvelope[]; nextCursor: string | null };

/** Every event of the key's workspace, following `nextCursor` a page of `limit` at a time. */
async function walkFeed(query = '', limit = 2, as?: string): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res = await api.call(
      'GET',
      `/api/v1/events?limit=${String(limit)}${query}${after === null ? '' : `&after=${after}`}`,
      as === undefined ? {} : { as },
    );
    expect(res.statusCode).toBe(200);
    const feed = res.json<Feed>();
    seen.push(...feed.items);
    if (feed.items.length === 0) {
      expect(feed.nextCursor).toBe(after);
      return seen;
    }
    expect(feed.nextCursor).toBe(feed.items.at(-1)?.id);
    after = feed.nextCursor;
  }
  throw new Error('the feed did not end');
}

describe('POST /mailboxes/{id}/sync', () => {
  it('answers 202 and queues the mailbox sync job; another workspace’s mailbox is a 404', async () => {
    const { id } = await googleMailbox(
      api.workspaceId,
      `sync-${randomUUID().slice(0, 6)}@mine.example`,
    );
    const res = await api.call('POST', `/api/v1/mailboxes/${id}/sync`);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ queued: true });
    const queue = api.services.syncQueue();
    const jobId = await queue.getDeduplicationJobId(
      mailboxSyncJob.deduplicationId({ mailboxId: id }),
    );
    const job = jobId ? await queue.getJob(jobId) : undefined;
    expect(job?.name).toBe(mailboxSyncJob.name);
    expect(job?.data).toEqual({ mailboxId: id });
    expect(await job?.getState()).toBe('waiting');

    const across = await api.call('POST', `/api/v1/mailboxes/${id}/sync`, { as: api.other.key });
    expect(across.statusCode).toBe(404);
  });

  it('refuses a disconnected mailbox with 409', async () => {
    const { id } = await googleMailbox(
      api.workspaceId,
      `gone-${randomUUID().slice(0, 6)}@mine.example`,
    );
    expect((await api.call('DELETE', `/api/v1/mailboxes/${id}`)).statusCode).toBe(200);
    const res = await api.call('POST', `/api/v1/mailboxes/${id}/sync`);
    expect(res.statusCode).toBe(409);
    expect(res.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/disconnected/) as string,
    });
  });
});

describe('DELETE /mailboxes/{id}', () => {
  it('disconnects at once, revokes the Google grant (the emulator then refuses the token), keeps the mail, and announces it in the feed', async () => {
    const rep = `keep-${randomUUID().slice(0, 6)}@mine.example`;
    const { id, refreshToken } = await googleMailbox(api.workspaceId, rep);
    await ingestTwo(api.workspaceId, id, rep);
    expect((await refreshAtEmulator(refreshToken)).status).toBe(200);

    const across = await api.call('DELETE', `/api/v1/mailboxes/${id}`, { as: api.other.key });
    expect(across.statusCode).toBe(404);

    const res = await api.call('DELETE', `/api/v1/mailboxes/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'disconnected' });
    expect(gmail.emulator.auth.revocations).toContain(refreshToken);
    expect(await refreshAtEmulator(refreshToken)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    });
    expect(await emailCount(id)).toBe(2);

    const disconnected = await walkFeed('&types=mailbox.disconnected');
    expect(disconnected.map((e) => e.data)).toContainEqual({
      mailboxId: id,
      email: rep,
      provider: 'google',
    });
    // Again: still disconnected, nothing revoked twice, nothing announced twice.
    expect((await api.call('DELETE', `/api/v1/mailboxes/${id}`)).json()).toMatchObject({
      status: 'disconnected',
    });
    expect(gmail.emulator.auth.revocations.filter((t) => t === refreshToken)).toHaveLength(1);
    const again = await walkFeed('&types=mailbox.disconnected');
    expect(again.filter((e) => e.data['mailboxId'] === id)).toHaveLength(1);
  });

  it('still disconnects when the provider cannot revoke the grant', async () => {
    // A token the emulator never issued: Google answers 400, the disconnect goes on.
    const mb = await connectMailbox(orm.em.fork(), new SecretBox(api.config.encryptionKey ?? ''), {
      workspaceId: api.workspaceId,
      provider: 'google',
      email: `unknown-${randomUUID().slice(0, 6)}@mine.example`,
      refreshToken: '1//not-issued',
      aliases: [],
      autoCreatePolicy: undefined,
    });
    const res = await api.call('DELETE', `/api/v1/mailboxes/${mb}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: mb, status: 'disconnected' });
  });

  it('with purge=true deletes its emails in the background; people and companies stay', async () => {
    const rep = `purge-${randomUUID().slice(0, 6)}@mine.example`;
    const { id } = await googleMailbox(api.workspaceId, rep);
    await ingestTwo(api.workspaceId, id, rep);
    const before = await exportOf(orm, api.workspaceId);
    expect(await emailCount(id)).toBe(2);

    const res = await api.call('DELETE', `/api/v1/mailboxes/${id}?purge=true`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, status: 'disconnected' });
    await waitFor(async () => (await emailCount(id)) === 0, 'the purge to delete the emails');
    await waitFor(async () => {
      const [row] = await orm.em
        .fork()
        .execute<{ pending: boolean }[]>(
          'select purge_requested_at is not null as pending from mailbox where id = ?',
          [id],
        );
      return row?.pending === false;
    }, 'the purge request to be cleared');
    const after = await exportOf(orm, api.workspaceId);
    expect(after.people.map((p) => p.email).sort()).toEqual(
      before.people.map((p) => p.email).sort(),
    );
    expect(after.companies.map((c) => c.domain).sort()).toEqual(
      before.companies.map((c) => c.domain).sort(),
    );
    const status = await api.call('GET', `/api/v1/mailboxes/${id}`);
    expect(status.json()).toMatchObject({ status: 'disconnected', counts: { emails: 0 } });
  });

  it('a background purge waits for the sync job still running, then purges', async () => {
    const rep = `busy-${randomUUID().slice(0, 6)}@mine.example`;
    const id = await createMailbox(orm, api.workspaceId, rep);
    await ingestTwo(api.workspaceId, id, rep);
    await orm.em
      .fork()
      .execute(`update mailbox set status = 'disconnected', credentials = null where id = ?`, [id]);
    // The mailbox's sync job runs for the first two looks, then has finished.
    const looks: number[] = [];
    const jobs = {
      removeJobs: () => {
        looks.push(looks.length);
        return Promise.resolve({
          removed: [],
          running: looks.length <= 2 ? [`mailbox-sync-${id}`] : [],
        });
      },
      runningJobs: () => Promise.resolve([]),
      enqueueSync: () => Promise.resolve([]),
    };
    const runner = new PurgeRunner({ em: () => orm.em.fork(), jobs, log: silentLog, retryMs: 20 });
    try {
      await runner.request(id);
      await runner.idle();
    } finally {
      await runner.close();
    }
    expect(looks).toHaveLength(3);
    expect(await emailCount(id)).toBe(0);
  });

  it('a purge left unfinished by a stopped API is continued by the next one', async () => {
    const rep = `resume-${randomUUID().slice(0, 6)}@mine.example`;
    const id = await createMailbox(orm, api.workspaceId, rep);
    await ingestTwo(api.workspaceId, id, rep);
    // What a process that stopped after accepting DELETE ?purge=true leaves behind.
    await orm.em
      .fork()
      .execute(
        `update mailbox set status = 'disconnected', credentials = null, purge_requested_at = now() where id = ?`,
        [id],
      );
    const next = await startApi(orm, googleEnv(gmail));
    try {
      await waitFor(async () => (await emailCount(id)) === 0, 'the next API to finish the purge');
    } finally {
      await next.close();
    }
  });
});

describe('GET /connect/{provider}', () => {
  it('answers a signed OAuth start URL for the key’s workspace', async () => {
    for (const provider of ['google', 'microsoft']) {
      const res = await api.call('GET', `/api/v1/connect/${provider}`);
      expect(res.statusCode).toBe(200);
      const { url } = res.json<{ url: string }>();
      const parsed = new URL(url);
      expect(`${parsed.origin}${parsed.pathname}`).toBe(
        new URL(`/oauth/${provider}/start`, api.config.http.publicUrl).toString(),
      );
      expect(parsed.searchParams.get('link')).toBeTruthy();
    }
    const bad = await api.call('GET', '/api/v1/connect/yahoo');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^params\.provider: /);
  });
});

describe('webhooks', () => {
  it('creates (201 with the secret), lists without secrets, pages deliveries, deletes; another workspace’s webhook is a 404', async () => {
    const created = await api.call('POST', '/api/v1/webhooks', {
      body: { url: 'https://8.8.8.8/mailroom', events: ['email.received'] },
    });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json<{ id: string; secret: string }>();
    expect(secret).toMatch(/^whsec_/);

    const listed = await api.call('GET', '/api/v1/webhooks?limit=200');
    const items = listed.json<{ items: Record<string, unknown>[] }>().items;
    expect(items.find((w) => w['id'] === id)).toMatchObject({
      url: 'https://8.8.8.8/mailroom',
      events: ['email.received'],
      enabled: true,
    });
    expect(JSON.stringify(items)).not.toContain(secret);
    const theirs = await api.call('GET', '/api/v1/webhooks', { as: api.other.key });
    expect(theirs.json<{ items: { id: string }[] }>().items.map((w) => w.id)).not.toContain(id);

    // Three deliveries, as the relay's fan-out stores them; walked two at a time, newest first.
    const events = ['1', '2', '3'].map((n) => ({
      id: `evt_${n.padStart(19, '9')}`,
      type: 'email.received',
      workspaceId: api.workspaceId,
      envelope: { id: n },
    }));
    for (const e of events) {
      await addDeliveries(orm.em.fork(), [e]);
    }
    const first = await api.call('GET', `/api/v1/webhooks/${id}/deliveries?limit=2`);
    expect(first.statusCode).toBe(200);
    const p1 = first.json<{ items: { eventId: string; status: string }[]; nextCursor: string }>();
    expect(p1.items.map((d) => d.eventId)).toEqual([events[2]?.id, events[1]?.id]);
    expect(p1.items[0]?.status).toBe('retrying');
    const second = await api.call(
      'GET',
      `/api/v1/webhooks/${id}/deliveries?limit=2&cursor=${p1.nextCursor}`,
    );
    const p2 = second.json<{ items: { eventId: string }[]; nextCursor: string | null }>();
    expect(p2.items.map((d) => d.eventId)).toEqual([events[0]?.id]);
    expect(p2.nextCursor).toBeNull();
    const forged = await api.call('GET', `/api/v1/webhooks/${id}/deliveries?cursor=bm9wZQ`);
    expect(forged.statusCode).toBe(400);

    for (const [method, url] of [
      ['GET', `/api/v1/webhooks/${id}/deliveries`],
      ['DELETE', `/api/v1/webhooks/${id}`],
    ] as const) {
      expect((await api.call(method, url, { as: api.other.key })).statusCode).toBe(404);
    }
    const deleted = await api.call('DELETE', `/api/v1/webhooks/${id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ deleted: id });
    expect((await api.call('DELETE', `/api/v1/webhooks/${id}`)).statusCode).toBe(404);
  });

  it('refuses a URL the egress policy refuses and an unknown event type with a 400 naming the field', async () => {
    const local = await api.call('POST', '/api/v1/webhooks', {
      body: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(local.statusCode).toBe(400);
    expect(local.json<{ error: { message: string } }>().error.message).toMatch(/^body\.url: /);
    expect(local.json<{ error: { message: string } }>().error.message).not.toContain('\n');
    const unknown = await api.call('POST', '/api/v1/webhooks', {
      body: { url: 'https://8.8.8.8/x', events: ['email.nope'] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/^body\.events/);
  });
});

describe('GET /events', () => {
  it('walks the workspace’s events in feed order with after/nextCursor, filters by types, and shows no other workspace’s', async () => {
    const mine = await createMailbox(
      orm,
      api.workspaceId,
      `feed-${randomUUID().slice(0, 6)}@mine.example`,
    );
    const theirs = await createMailbox(orm, api.other.workspaceId, `feed@theirs.example`);
    const all = await walkFeed('', 2);
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.every((e) => e.workspaceId === api.workspaceId)).toBe(true);
    expect(all.map((e) => e.data['mailboxId'])).toContain(mine);
    expect(all.map((e) => e.data['mailboxId'])).not.toContain(theirs);
    // The same walk in one page.
    expect((await walkFeed('', 200)).map((e) => e.id)).toEqual(ids);

    const connected = await walkFeed('&types=mailbox.connected,mailbox.disconnected');
    expect(connected.length).toBeGreaterThan(0);
    expect(
      connected.every((e) => e.type === 'mailbox.connected' || e.type === 'mailbox.disconnected'),
    ).toBe(true);

    const bad = await api.call('GET', '/api/v1/events?types=mailbox.connected,email.nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(
      /^query\.types: unknown event type email\.nope/,
    );
    const badAfter = await api.call('GET', '/api/v1/events?after=12');
    expect(badAfter.statusCode).toBe(400);
    expect(badAfter.json<{ error: { message: string } }>().error.message).toMatch(
      /^query\.after: /,
    );
  });

  it('a transaction with the lower identity id that commits later is still seen by a consumer following after', async () => {
    const late = randomUUID();
    const early = randomUUID();
    const personEvent = (personId: string) => ({
      type: 'person.created' as const,
      workspaceId: api.workspaceId,
      aggregateId: personId,
      occurrence: personId,
      data: { personId, email: `${personId}@race.example` },
    });
    // Where the consumer stands before the race.
    let after = (await walkFeed('', 200)).at(-1)?.id ?? null;

    let commit!: () => void;
    const held = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const lateTx = orm.em.fork().transactional(async (tx) => {
      await appendEvents(tx, [personEvent(late)]);
      inserted();
      await held;
    });
    await insertedSignal;
    await orm.em.fork().transactional((tx) => appendEvents(tx, [personEvent(early)]));

    const seen: string[] = [];
    const follow = async (): Promise<void> => {
      const res = await api.call(
        'GET',
        `/api/v1/events?types=person.created${after === null ? '' : `&after=${after}`}`,
      );
      const feed = res.json<Feed>();
      seen.push(...feed.items.map((e) => String(e.data['personId'])));
      after = feed.nextCursor;
    };
    // The early one is visible (committed) while the late one is still open.
    await waitFor(async () => {
      await follow();
      return seen.includes(early);
    }, 'the committed event in the feed');
    expect(seen).not.toContain(late);
    commit();
    await lateTx;
    await waitFor(async () => {
      await follow();
      return seen.includes(late);
    }, 'the late event in the feed after the cursor');
    expect(seen.filter((p) => p === early || p === late)).toEqual([early, late]);

    const rows = await orm.em
      .fork()
      .execute<{ id: string; seq: string; person: string }[]>(
        `select id, seq, payload->>'personId' as person from outbox_event where aggregate_id in (?, ?)`,
        [late, early],
      );
    const lateRow = rows.find((r) => r.person === late);
    const earlyRow = rows.find((r) => r.person === early);
    expect(Number(lateRow?.id)).toBeLessThan(Number(earlyRow?.id));
    expect(Number(lateRow?.seq)).toBeGreaterThan(Number(earlyRow?.seq));
  });
});
