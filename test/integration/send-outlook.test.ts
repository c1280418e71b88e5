import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import type { Orm } from '../../src/db/orm.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { startGraphHarness, type GraphHarness } from '../helpers/graph-harness.ts';
import { exportOf } from '../helpers/ingest.ts';
import { openTestOrm } from '../helpers/test-orm.ts';
import { retryWhileInProgress, sendOverApi, storeMailbox } from '../helpers/send-api.ts';

/**
 * Sending through Outlook over the real API route, the real Graph SDK and the Graph emulator:
 * a MIME draft then `/send`, the Sent Items copy found by its internetMessageId and stored at
 * once as the row the next delta sync finds; replies through `createReply`, in the conversation;
 * a grant without Mail.Send told to reconnect.
 */
const PUBLIC_URL = 'https://track.mailroom.test';
// Short provider timeouts, so a delayed answer is a timeout within the test.
const TIMEOUT_MS = 1_500;

let orm: Orm;
let graph: GraphHarness;
let api: ApiHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  graph = await startGraphHarness();
  api = await startApi(orm, {
    MICROSOFT_CLIENT_ID: graph.env['MICROSOFT_CLIENT_ID'] ?? '',
    MICROSOFT_CLIENT_SECRET: graph.env['MICROSOFT_CLIENT_SECRET'] ?? '',
    MICROSOFT_GRAPH_URL: graph.env['MICROSOFT_GRAPH_URL'] ?? '',
    MICROSOFT_LOGIN_URL: graph.env['MICROSOFT_LOGIN_URL'] ?? '',
    MAILROOM_BACKFILL_MAX_MESSAGES: '0',
    MAILROOM_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
    PUBLIC_URL,
    MAILROOM_TRACKING_KEYS: `1:${randomBytes(32).toString('base64')}`,
  });
});
afterAll(async () => {
  await api.close();
  await graph.close();
  await orm.close(true);
});

interface SentItem {
  id: string;
  conversationId: string;
  internetMessageId: string;
  raw: string;
  inReplyTo: string | null;
}

async function control(path: string, init?: { method: string; body: unknown }) {
  const res = await fetch(`${graph.emulator.baseUrl()}/__control${path}`, {
    ...(init
      ? {
          method: init.method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(init.body),
        }
      : {}),
  });
  expect(res.status).toBe(200);
  return res.json();
}

const sentBy = async (email: string) =>
  ((await control(`/mailboxes/${encodeURIComponent(email)}/sent`)) as { items: SentItem[] }).items;

async function mailbox(workspaceId: string, email: string, scopes?: string[]): Promise<string> {
  const { refreshToken } = (await control('/mailboxes', {
    method: 'POST',
    body: { email, ...(scopes ? { scopes } : {}) },
  })) as { refreshToken: string };
  return storeMailbox(orm, api, { workspaceId, provider: 'microsoft', email, refreshToken });
}

const send = (body: Record<string, unknown>, key?: string) => sendOverApi(api, body, key);

describe('POST /api/v1/messages through Outlook', () => {
  it('sends once and the next delta sync finds the same row, with one EMAIL_SENT', async () => {
    const rep = 'li.send@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    await runSyncNow(api.config, orm, silentLog, mb);
    const res = await send(
      {
        mailboxId: mb,
        to: [{ email: 'ana@contoso.example' }],
        subject: 'Outlook pricing',
        text: 'Prices: https://contoso.example/p',
        html: '<p>See <a href="https://contoso.example/p?x=1">prices</a></p>',
        track: { opens: true, clicks: true },
      },
      'outlook-once',
    );
    expect(res.statusCode).toBe(201);
    const result = res.json<{ internetMessageId: string; providerMessageId: string }>();
    const sent = await sentBy(rep);
    expect(sent).toHaveLength(1);
    expect(result).toMatchObject({
      internetMessageId: sent[0]?.internetMessageId,
      providerMessageId: sent[0]?.id,
    });
    const mime = await simpleParser(Buffer.from(sent[0]?.raw ?? '', 'base64'));
    expect(typeof mime.html === 'string' ? mime.html : '').toContain(`${PUBLIC_URL}/t/o/`);
    expect(mime.text?.trim()).toBe('Prices: https://contoso.example/p');

    const again = await send(
      {
        mailboxId: mb,
        to: [{ email: 'ana@contoso.example' }],
        subject: 'Outlook pricing',
        text: 'Prices: https://contoso.example/p',
        html: '<p>See <a href="https://contoso.example/p?x=1">prices</a></p>',
        track: { opens: true, clicks: true },
      },
      'outlook-once',
    );
    expect(again.json()).toEqual(res.json());
    expect(await sentBy(rep)).toHaveLength(1);

    const sync = await runSyncNow(api.config, orm, silentLog, mb);
    expect(sync.counters.emailsStored).toBe(0);
    const after = await exportOf(orm, api.workspaceId);
    expect(
      after.emails.filter((e) => e.internetMessageId === result.internetMessageId),
    ).toHaveLength(1);
    expect(
      after.activities.filter(
        (a) => a.type === 'EMAIL_SENT' && a.internetMessageId === result.internetMessageId,
      ),
    ).toHaveLength(1);
  });

  it('replies through createReply, in the original conversation', async () => {
    const rep = 'li.reply@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    await control(`/mailboxes/${encodeURIComponent(rep)}/messages`, {
      method: 'POST',
      body: {
        raw: buildEml({
          from: 'Bo Lee <bo@fabrikam.example>',
          to: [rep],
          subject: 'Outlook demo?',
          messageId: '<odemo-1@fabrikam.example>',
          body: 'Could we see a demo?',
        }).toString('base64'),
      },
    });
    await runSyncNow(api.config, orm, silentLog, mb);
    const list = await api.call('GET', `/api/v1/emails?mailboxId=${mb}`);
    const original = list
      .json<{ items: { id: string; internetMessageId: string; threadKey: string }[] }>()
      .items.find((e) => e.internetMessageId === '<odemo-1@fabrikam.example>');
    expect(original).toBeDefined();
    const res = await send({
      mailboxId: mb,
      to: [{ email: 'bo@fabrikam.example' }],
      subject: 'RE: Outlook demo?',
      html: '<p>Tuesday works.</p>',
      inReplyToEmailId: original?.id,
    });
    expect(res.statusCode).toBe(201);
    const [reply] = await sentBy(rep);
    expect(reply?.inReplyTo).toBe('<odemo-1@fabrikam.example>');
    expect(res.json<{ threadKey: string }>().threadKey).toBe(original?.threadKey);
  });

  it('never sends twice when /send timed out after Outlook sent the draft', async () => {
    const rep = 'li.timeout@northwind.com';
    const mb = await mailbox(api.workspaceId, rep);
    await control('/faults', {
      method: 'POST',
      body: {
        faults: [{ path: '/send$', method: 'POST', delayMs: TIMEOUT_MS * 3, afterEffect: true }],
      },
    });
    const body = {
      mailboxId: mb,
      to: [{ email: 'dee@adatum.example' }],
      subject: 'Outlook timeout',
      text: 'Sent, but the answer was lost.',
    };
    const first = await send(body, 'outlook-timeout');
    expect(first.statusCode).toBe(502);
    expect(first.json()).toMatchObject({ error: { code: 'SEND_OUTCOME_UNKNOWN' } });
    expect(await sentBy(rep)).toHaveLength(1);
    const final = await retryWhileInProgress(() => send(body, 'outlook-timeout'));
    expect(final.statusCode).toBe(201);
    const sent = await sentBy(rep);
    expect(sent).toHaveLength(1);
    expect(final.json()).toMatchObject({
      internetMessageId: sent[0]?.internetMessageId,
      providerMessageId: sent[0]?.id,
    });
  });

  it('tells a grant without Mail.Send to reconnect, and sends nothing', async () => {
    const rep = 'li.readonly@northwind.com';
    const mb = await mailbox(api.workspaceId, rep, [
      'offline_access',
      'Mail.Read',
      'Calendars.Read',
      'User.Read',
    ]);
    const res = await send({
      mailboxId: mb,
      to: [{ email: 'eve@contoso.example' }],
      subject: 'No scope',
      text: 'Cannot send.',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'SEND_NOT_PERMITTED' } });
    expect(await sentBy(rep)).toEqual([]);
  });
});
