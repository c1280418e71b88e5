import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import type { Orm } from '../../src/db/orm.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { silentLog, startGmailHarness, type GmailHarness } from '../helpers/gmail-harness.ts';
import { exportOf } from '../helpers/ingest.ts';
import { openTestOrm } from '../helpers/test-orm.ts';
import { retryWhileInProgress, sendOverApi, storeMailbox } from '../helpers/send-api.ts';

/**
 * Sending through Gmail over the real API route, the real `@googleapis/gmail` client and the
 * Gmail emulator, then syncing the mailbox: one email row and one EMAIL_SENT per message, replies
 * in the original's thread, a retried request never sending twice (even after a timeout), and a
 * mailbox consented without gmail.send told to reconnect.
 */
const PUBLIC_URL = 'https://track.mailroom.test';
// Short provider timeouts, so a delayed answer is a timeout within the test.
const TIMEOUT_MS = 1_500;

let orm: Orm;
let gmail: GmailHarness;
let api: ApiHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  gmail = await startGmailHarness();
  api = await startApi(orm, {
    GOOGLE_CLIENT_ID: 'test-client',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    GOOGLE_API_ROOT_URL: `${gmail.url}/`,
    GOOGLE_OAUTH_TOKEN_URL: `${gmail.url}/token`,
    GOOGLE_OAUTH_AUTH_URL: `${gmail.url}/o/oauth2/v2/auth`,
    MAILROOM_GMAIL_QUOTA: 'off',
    MAILROOM_BACKFILL_DAYS: '0',
    MAILROOM_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
    PUBLIC_URL,
    MAILROOM_TRACKING_KEYS: `1:${randomBytes(32).toString('base64')}`,
  });
});
afterAll(async () => {
  await api.close();
  await gmail.close();
  await orm.close(true);
});

interface SentItem {
  id: string;
  threadId: string;
  internetMessageId: string;
  raw: string;
  html: string | null;
  text: string | null;
  inReplyTo: string | null;
}

async function sentBy(email: string): Promise<SentItem[]> {
  const res = await fetch(`${gmail.url}/__control/users/${encodeURIComponent(email)}/sent`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: SentItem[] }).items;
}

async function mailbox(workspaceId: string, email: string, scopes?: string[]): Promise<string> {
  const res = await fetch(`${gmail.url}/__control/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, ...(scopes ? { scopes } : {}) }),
  });
  const { refreshToken } = (await res.json()) as { refreshToken: string };
  return storeMailbox(orm, api, { workspaceId, provider: 'google', email, refreshToken });
}

const send = (body: Record<string, unknown>, key?: string) => sendOverApi(api, body, key);

describe('POST /api/v1/messages through Gmail', () => {
  it('sends tracked mail once: the stored row is the one sync finds, with one EMAIL_SENT', async () => {
    const rep = 'rep.send@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    await runSyncNow(api.config, orm, silentLog, mb);
    const html =
      '<p>Hi Ana, see <a href="https://contoso.example/pricing?plan=pro&amp;seats=5#top">prices</a>, ' +
      '<a href="mailto:help@northwind.com">mail us</a>, <a href="#faq">FAQ</a>.</p>';
    const res = await send({
      mailboxId: mb,
      to: [{ email: 'ana@contoso.example', name: 'Ana Silva' }],
      subject: 'Pricing',
      text: 'Hi Ana, prices: https://contoso.example/pricing?plan=pro&seats=5',
      html,
      track: { opens: true, clicks: true },
    });
    expect(res.statusCode).toBe(201);
    const result = res.json<{ id: string; internetMessageId: string; providerMessageId: string }>();

    const [sent, ...more] = await sentBy(rep);
    expect(more).toEqual([]);
    // Gmail wrote its own Message-ID; the result reports that one, not the one we built.
    expect(result.internetMessageId).toBe(sent?.internetMessageId);
    expect(result.providerMessageId).toBe(sent?.id);
    const mime = await simpleParser(Buffer.from(sent?.raw ?? '', 'base64'));
    expect(mime.text?.trim()).toBe(
      'Hi Ana, prices: https://contoso.example/pricing?plan=pro&seats=5',
    );
    const sentHtml = typeof mime.html === 'string' ? mime.html : '';
    expect(sentHtml).toContain(`src="${PUBLIC_URL}/t/o/`);
    expect(sentHtml).toMatch(new RegExp(`href="${PUBLIC_URL}/t/c/[^"]+">prices`));
    expect(sentHtml).toContain('href="mailto:help@northwind.com"');
    expect(sentHtml).toContain('href="#faq"');
    expect(sentHtml).not.toContain('contoso.example/pricing');

    const before = await exportOf(orm, api.workspaceId);
    const sync = await runSyncNow(api.config, orm, silentLog, mb);
    // The sync met the sent copy (history's messagesAdded) and stored nothing new.
    expect(sync.alreadyStored + sync.counters.emailsAlreadyStored).toBeGreaterThanOrEqual(1);
    expect(sync.counters.emailsStored).toBe(0);
    const after = await exportOf(orm, api.workspaceId);
    const rows = after.emails.filter((e) => e.internetMessageId === result.internetMessageId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ direction: 'outbound', providerMessageId: sent?.id });
    const sentActivities = after.activities.filter(
      (a) => a.type === 'EMAIL_SENT' && a.internetMessageId === result.internetMessageId,
    );
    expect(sentActivities).toEqual([
      expect.objectContaining({ personEmail: 'ana@contoso.example' }),
    ]);
    expect(after.emails.length).toBe(before.emails.length);

    // The click link redirects to exactly the original URL, entities decoded.
    const link = /href="([^"]+\/t\/c\/[^"]+)"/.exec(sentHtml)?.[1] ?? '';
    const click = await api.app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://contoso.example/pricing?plan=pro&seats=5#top');
  });

  it('replies in the thread of the message answered', async () => {
    const rep = 'rep.reply@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    const original = buildEml({
      from: 'Bo Lee <bo@fabrikam.example>',
      to: [rep],
      subject: 'Demo next week?',
      messageId: '<demo-1@fabrikam.example>',
      body: 'Could we see a demo?',
    });
    gmail.emulator.store.addMessage(rep, original, ['INBOX']);
    await runSyncNow(api.config, orm, silentLog, mb);
    const inbound = (await exportOf(orm, api.workspaceId)).emails.find(
      (e) => e.internetMessageId === '<demo-1@fabrikam.example>',
    );
    const list = await api.call('GET', `/api/v1/emails?mailboxId=${mb}`);
    const originalId = list
      .json<{ items: { id: string; internetMessageId: string }[] }>()
      .items.find((e) => e.internetMessageId === '<demo-1@fabrikam.example>')?.id;
    expect(originalId).toBeDefined();

    const res = await send({
      mailboxId: mb,
      to: [{ email: 'bo@fabrikam.example' }],
      subject: 'Re: Demo next week?',
      text: 'Tuesday works.',
      inReplyToEmailId: originalId,
    });
    expect(res.statusCode).toBe(201);
    const [reply] = await sentBy(rep);
    expect(reply?.inReplyTo).toBe('<demo-1@fabrikam.example>');
    const stored = gmail.emulator.store.user(rep).messages.get(reply?.id ?? '');
    const originalStored = [...gmail.emulator.store.user(rep).messages.values()].find(
      (m) => m.messageIdHeader === '<demo-1@fabrikam.example>',
    );
    expect(stored?.threadId).toBe(originalStored?.threadId);
    expect(res.json<{ threadKey: string }>().threadKey).toBe(inbound?.threadKey);
  });

  it('returns the first result for a retried Idempotency-Key and refuses the key for another message', async () => {
    const rep = 'rep.idem@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    const body = {
      mailboxId: mb,
      to: [{ email: 'cy@litware.example' }],
      subject: 'Once',
      text: 'Only once.',
    };
    const first = await send(body, 'key-once');
    const second = await send(body, 'key-once');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(await sentBy(rep)).toHaveLength(1);
    const other = await send({ ...body, subject: 'Another' }, 'key-once');
    expect(other.statusCode).toBe(409);
    expect(await sentBy(rep)).toHaveLength(1);
  });

  it('never sends twice when the first attempt timed out after Gmail sent it', async () => {
    const rep = 'rep.timeout@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    await fetch(`${gmail.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        faults: [
          {
            path: '/messages/send$',
            method: 'POST',
            delayMs: TIMEOUT_MS * 3,
            afterEffect: true,
          },
        ],
      }),
    });
    const body = {
      mailboxId: mb,
      to: [{ email: 'dee@adatum.example' }],
      subject: 'Timeout',
      text: 'Sent, but the answer was lost.',
    };
    const first = await send(body, 'key-timeout');
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ error: { code: 'SEND_OUTCOME_UNKNOWN' } });
    expect(await sentBy(rep)).toHaveLength(1);

    // Retries answer 409 until the outcome may be asked of Gmail, then the first result.
    const final = await retryWhileInProgress(() => send(body, 'key-timeout'));
    expect(final.statusCode).toBe(201);
    const sent = await sentBy(rep);
    expect(sent).toHaveLength(1);
    expect(final.json()).toMatchObject({ providerMessageId: sent[0]?.id });
    const rows = (await exportOf(orm, api.workspaceId)).emails.filter(
      (e) => e.subject === 'Timeout',
    );
    expect(rows).toHaveLength(1);
  });

  it('never reports a sent message as refused when reading its copy back fails', async () => {
    const rep = 'rep.readback@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    // The send goes through; the Message-ID read-back right after it is refused.
    await fetch(`${gmail.url}/__control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        faults: [{ path: '/messages/[^/]+$', method: 'GET', status: 404, count: 1 }],
      }),
    });
    const body = {
      mailboxId: mb,
      to: [{ email: 'fay@adatum.example' }],
      subject: 'Read-back',
      text: 'Sent; its copy could not be read at once.',
    };
    const first = await send(body, 'key-readback');
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ error: { code: 'SEND_OUTCOME_UNKNOWN' } });
    const final = await retryWhileInProgress(() => send(body, 'key-readback'));
    expect(final.statusCode).toBe(201);
    expect(await sentBy(rep)).toHaveLength(1);
  });

  it('tells a mailbox consented without gmail.send to reconnect, and sends nothing', async () => {
    const rep = 'rep.readonly@northwind.com';
    const mb = await mailbox(api.workspaceId, rep, [
      'https://www.googleapis.com/auth/gmail.readonly',
    ]);
    const res = await send({
      mailboxId: mb,
      to: [{ email: 'eve@contoso.example' }],
      subject: 'No scope',
      text: 'Cannot send.',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'SEND_NOT_PERMITTED' } });
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/reconnect/);
    expect(await sentBy(rep)).toEqual([]);
  });
});
