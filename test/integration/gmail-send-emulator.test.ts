import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import { describe, expect } from 'vitest';
import type { SentItem } from '../../emulators/google/gmail-sent-log.ts';
import { it } from '../helpers/fixtures.ts';
import type { GmailHarness } from '../helpers/gmail-harness.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The emulator's `users.messages.send` as the real @googleapis/gmail client drives it
 * (provider-apis.md §H.1, §H.3): the JSON, media and multipart forms, Gmail's own Message-ID, the
 * SENT copy and its history record, delivery to other users of the emulator without Bcc, the
 * threading criteria, the errors, the send scope, the 100 quota units and an answer held back
 * after the send happened. No database: the emulator alone.
 */

// The quota is enforced (new regime, unscaled) so that the charge shows in both unit counters.
it.override('gmailOptions', { scope: 'file' }, { quota: { regime: 'new', scale: 1 } });

const AUTH = 'https://www.googleapis.com/auth';

async function control(h: GmailHarness, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await fetch(`${h.url}/__control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/** A user of the emulator and a client on its grant (the emulator's default scopes unless named). */
async function userWith(h: GmailHarness, email: string, scopes?: string[]) {
  const { refreshToken } = (await control(h, 'POST', '/users', { email, scopes })) as {
    refreshToken: string;
  };
  const auth = new OAuth2Client({
    clientId: 'test-client',
    clientSecret: 'test-secret',
    endpoints: { oauth2TokenUrl: `${h.url}/token` },
  });
  auth.setCredentials({ refresh_token: refreshToken });
  return gmail({ version: 'v1', auth, rootUrl: `${h.url}/` });
}

async function sentBy(h: GmailHarness, email: string): Promise<SentItem[]> {
  return (await control(h, 'GET', `/users/${email}/sent`))['items'] as SentItem[];
}

/** An RFC 822 message; headers given as null are left out. */
function mime(headers: Record<string, string | null>, body = 'Hello.'): string {
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([name, value]) => `${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}\r\n`;
}

const b64url = (text: string) => Buffer.from(text).toString('base64url');

/** The Google error envelope a rejected call carried (gaxios puts the body on `response`). */
async function errorOf(call: Promise<unknown>) {
  const err: unknown = await call.then(
    () => null,
    (e: unknown) => e,
  );
  const response = (err as { response?: { status: number; data: unknown } } | null)?.response;
  expect(response).toBeDefined();
  const data = response?.data as {
    error: { message: string; status: string; errors: { reason: string }[] };
  };
  return {
    http: response?.status,
    status: data.error.status,
    message: data.error.message,
    reason: data.error.errors[0]?.reason,
  };
}

async function rawOf(api: gmail_v1.Gmail, id: string): Promise<string> {
  const { data } = await api.users.messages.get({ userId: 'me', id, format: 'raw' });
  return Buffer.from(data.raw ?? '', 'base64url').toString('utf8');
}

describe('Gmail emulator: messages.send with the real client', () => {
  it('sends in the JSON, media and multipart forms (the upload forms with a per-call rootUrl)', async ({
    gmail: h,
  }) => {
    const me = 'forms@northwind.com';
    const api = await userWith(h, me);
    const first = mime({ From: me, To: 'ana@contoso.com', Subject: 'Plan', 'Message-ID': null });

    const json = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(first) },
    });
    expect(json.status).toBe(200);
    expect(json.data.id).toMatch(/^[0-9a-f]{16}$/);
    expect(json.data).toEqual({ id: json.data.id, threadId: json.data.id, labelIds: ['SENT'] });

    const media = await api.users.messages.send(
      {
        userId: 'me',
        media: {
          mimeType: 'message/rfc822',
          body: mime({ From: me, To: 'ana@contoso.com', Subject: 'Media form' }),
        },
      },
      { rootUrl: `${h.url}/` },
    );
    expect(media.data.labelIds).toEqual(['SENT']);

    // The multipart form's JSON part carries the threadId: the reply joins the first message's thread.
    const [sentFirst] = await sentBy(h, me);
    const multipart = await api.users.messages.send(
      {
        userId: 'me',
        requestBody: { threadId: json.data.threadId ?? '' },
        media: {
          mimeType: 'message/rfc822',
          body: mime({
            From: me,
            To: 'ana@contoso.com',
            Subject: 'Re: Plan',
            'In-Reply-To': sentFirst?.internetMessageId ?? '',
            References: sentFirst?.internetMessageId ?? '',
          }),
        },
      },
      { rootUrl: `${h.url}/` },
    );
    expect(multipart.data.threadId).toBe(json.data.threadId);
    expect(multipart.data.id).not.toBe(json.data.id);

    const sent = await sentBy(h, me);
    expect(sent.map((s) => [s.id, s.subject, s.to])).toEqual([
      [json.data.id, 'Plan', ['ana@contoso.com']],
      [media.data.id, 'Media form', ['ana@contoso.com']],
      [multipart.data.id, 'Re: Plan', ['ana@contoso.com']],
    ]);
    expect(sent[1]?.text).toBe('Hello.\n');
    expect((await h.emulator.sentMail(me)).map((s) => s.id)).toEqual(sent.map((s) => s.id));
  });

  it("replaces the Message-ID with Gmail's own, adds Date and From, and reads back with metadataHeaders", async ({
    gmail: h,
  }) => {
    const me = 'stamps@northwind.com';
    const api = await userWith(h, me);
    const dated = mime({
      To: 'ana@contoso.com',
      Subject: 'Written long ago',
      Date: 'Mon, 01 Jan 2024 09:00:00 +0000',
    });
    const sentAfter = Date.now();
    const old = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(dated) },
    });
    // internalDate is when Gmail took the message, whatever its Date header says.
    const { data: oldMeta } = await api.users.messages.get({
      userId: 'me',
      id: old.data.id ?? '',
      format: 'minimal',
    });
    expect(Number(oldMeta.internalDate)).toBeGreaterThanOrEqual(sentAfter);
    const raw = mime({
      To: 'ana@contoso.com',
      Subject: 'Stamped',
      'Message-ID': '<mine@northwind.com>',
    });
    const { data } = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(raw) },
    });

    const { data: meta } = await api.users.messages.get({
      userId: 'me',
      id: data.id ?? '',
      format: 'metadata',
      metadataHeaders: ['Message-ID'],
    });
    const headers = meta.payload?.headers ?? [];
    expect(headers.map((x) => x.name)).toEqual(['Message-ID']);
    const messageId = headers[0]?.value ?? '';
    expect(messageId).toMatch(/^<CA\+[^<>\s]+@mail\.gmail\.com>$/);

    const item = (await sentBy(h, me)).find((s) => s.id === data.id);
    expect(item?.internetMessageId).toBe(messageId);
    expect(item?.from).toBe(me);
    const stored = Buffer.from(item?.raw ?? '', 'base64').toString('utf8');
    expect(stored).toMatch(/^Date: .+\d{2}:\d{2}:\d{2} \+0000$/m);
    expect(stored).not.toContain('mine@northwind.com');

    // A second send gets an id of its own.
    const again = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(raw) },
    });
    const ids = (await sentBy(h, me)).map((s) => s.internetMessageId);
    expect(again.data.id).not.toBe(data.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('files the copy under SENT (INBOX and UNREAD too when sent to self) with a messagesAdded record', async ({
    gmail: h,
  }) => {
    const me = 'history@northwind.com';
    const api = await userWith(h, me);
    const { data: profile } = await api.users.getProfile({ userId: 'me' });

    const out = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(mime({ From: me, To: 'ana@contoso.com', Subject: 'Out' })) },
    });
    const self = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(mime({ From: me, To: `Me <${me}>`, Subject: 'Note to self' })) },
    });
    expect(self.data.labelIds).toEqual(['SENT', 'INBOX', 'UNREAD']);

    const { data: history } = await api.users.history.list({
      userId: 'me',
      startHistoryId: profile.historyId ?? '',
    });
    const added = (history.history ?? []).flatMap((r) => r.messagesAdded ?? []);
    expect(added.map((a) => [a.message?.id, a.message?.labelIds])).toEqual([
      [out.data.id, ['SENT']],
      [self.data.id, ['SENT', 'INBOX', 'UNREAD']],
    ]);
    const { data: list } = await api.users.messages.list({ userId: 'me', labelIds: ['SENT'] });
    expect((list.messages ?? []).map((m) => m.id).sort()).toEqual(
      [out.data.id, self.data.id].sort(),
    );
  });

  it('delivers to other users of the emulator, without Bcc, and keeps Bcc on the sender’s copy', async ({
    gmail: h,
  }) => {
    const me = 'deliver@northwind.com';
    const api = await userWith(h, me);
    const to = await userWith(h, 'to.user@northwind.com');
    const hidden = await userWith(h, 'hidden.user@northwind.com');
    const { data: toProfile } = await to.users.getProfile({ userId: 'me' });
    const raw = mime({
      From: me,
      To: 'To User <to.user@northwind.com>',
      Cc: 'outside@contoso.com',
      Bcc: 'hidden.user@northwind.com',
      Subject: 'Delivered',
    });
    const { data } = await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(raw) },
    });

    expect(await rawOf(api, data.id ?? '')).toMatch(/^Bcc: hidden\.user@northwind\.com$/m);
    const [item] = await sentBy(h, me);
    expect([item?.to, item?.cc, item?.bcc]).toEqual([
      ['to.user@northwind.com'],
      ['outside@contoso.com'],
      ['hidden.user@northwind.com'],
    ]);

    for (const recipient of [to, hidden]) {
      const { data: inbox } = await recipient.users.messages.list({ userId: 'me' });
      expect(inbox.messages).toHaveLength(1);
      const id = inbox.messages?.[0]?.id ?? '';
      const copy = await rawOf(recipient, id);
      expect(copy).toContain('Subject: Delivered');
      expect(copy).not.toMatch(/^Bcc:/im);
      expect(copy).toContain(`Message-ID: ${item?.internetMessageId ?? ''}`);
      const { data: got } = await recipient.users.messages.get({
        userId: 'me',
        id,
        format: 'minimal',
      });
      expect(got.labelIds).toEqual(['INBOX', 'UNREAD']);
    }
    const { data: history } = await to.users.history.list({
      userId: 'me',
      startHistoryId: toProfile.historyId ?? '',
      historyTypes: ['messageAdded'],
    });
    expect((history.history ?? []).flatMap((r) => r.messagesAdded ?? [])).toHaveLength(1);
  });

  it('honours threadId only with a reference into the thread and a matching subject', async ({
    gmail: h,
  }) => {
    const me = 'threads@northwind.com';
    const api = await userWith(h, me);
    const received = (await control(h, 'POST', `/users/${me}/messages`, {
      raw: Buffer.from(
        mime({
          From: 'ana@contoso.com',
          To: me,
          Subject: 'Quarterly plan',
          'Message-ID': '<q1@contoso.com>',
          Date: 'Tue, 01 Dec 2026 09:00:00 +0000',
        }),
      ).toString('base64'),
    })) as { id: string; threadId: string };
    const reply = (subject: string, threadId?: string) =>
      api.users.messages.send({
        userId: 'me',
        requestBody: {
          raw: b64url(
            mime({
              From: me,
              To: 'ana@contoso.com',
              Subject: subject,
              'In-Reply-To': '<q1@contoso.com>',
              References: '<q1@contoso.com>',
            }),
          ),
          ...(threadId ? { threadId } : {}),
        },
      });

    const joined = await reply('RE: AW: quarterly  plan', received.threadId);
    expect(joined.data.threadId).toBe(received.threadId);

    const otherSubject = await reply('Something else', received.threadId);
    expect(otherSubject.data.threadId).toBe(otherSubject.data.id);

    const noThreadId = await reply('Re: Quarterly plan');
    expect(noThreadId.data.threadId).toBe(noThreadId.data.id);

    // The thread exists, but the message references nothing in it.
    const unrelated = await api.users.messages.send({
      userId: 'me',
      requestBody: {
        raw: b64url(mime({ From: me, To: 'ana@contoso.com', Subject: 'Re: Quarterly plan' })),
        threadId: received.threadId,
      },
    });
    expect(unrelated.data.threadId).toBe(unrelated.data.id);

    const unknown = await errorOf(reply('Re: Quarterly plan', 'ffffffffffffffff'));
    expect([unknown.http, unknown.reason]).toEqual([404, 'notFound']);

    const { data: thread } = await api.users.threads.get({ userId: 'me', id: received.threadId });
    expect((thread.messages ?? []).map((m) => m.id)).toEqual([received.id, joined.data.id]);
  });

  it('answers the send errors in Google’s envelope and sends nothing', async ({ gmail: h }) => {
    const me = 'errors@northwind.com';
    const api = await userWith(h, me);

    const noRaw = await errorOf(api.users.messages.send({ userId: 'me', requestBody: {} }));
    expect(noRaw).toEqual({
      http: 400,
      status: 'INVALID_ARGUMENT',
      reason: 'invalidArgument',
      message:
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
    });

    const noRecipient = await errorOf(
      api.users.messages.send({
        userId: 'me',
        requestBody: { raw: b64url(mime({ From: me, Subject: 'Nobody' })) },
      }),
    );
    expect([noRecipient.http, noRecipient.message]).toEqual([400, 'Recipient address required']);

    const badTo = await errorOf(
      api.users.messages.send({
        userId: 'me',
        requestBody: { raw: b64url(mime({ From: me, To: 'Ana from Contoso', Subject: 'Bad' })) },
      }),
    );
    expect([badTo.http, badTo.message, badTo.reason]).toEqual([
      400,
      'Invalid To header',
      'invalidArgument',
    ]);
    expect(await sentBy(h, me)).toEqual([]);
  });

  it('refuses a grant without a send scope with 403 insufficientPermissions, and still lets it read', async ({
    gmail: h,
  }) => {
    const me = 'readonly@northwind.com';
    const api = await userWith(h, me, [`${AUTH}/gmail.readonly`]);
    const refused = await errorOf(
      api.users.messages.send({
        userId: 'me',
        requestBody: { raw: b64url(mime({ From: me, To: 'ana@contoso.com', Subject: 'No' })) },
      }),
    );
    expect(refused).toEqual({
      http: 403,
      status: 'PERMISSION_DENIED',
      reason: 'insufficientPermissions',
      message: 'Request had insufficient authentication scopes.',
    });
    expect((await api.users.getProfile({ userId: 'me' })).data.emailAddress).toBe(me);
    expect(await sentBy(h, me)).toEqual([]);

    // gmail.compose is one of the scopes that may send.
    const composer = await userWith(h, 'composer@northwind.com', [`${AUTH}/gmail.compose`]);
    const ok = await composer.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(mime({ To: 'ana@contoso.com', Subject: 'Yes' })) },
    });
    expect(ok.status).toBe(200);
  });

  it('grants the scopes asked for at consent; the tokens and /token answers carry them', async ({
    gmail: h,
  }) => {
    const email = 'consent@northwind.com';
    await control(h, 'POST', '/users', { email });
    const redirectUri = 'http://127.0.0.1:1/callback';
    const asked = [`${AUTH}/gmail.readonly`, 'openid'];
    const consent = new URL(`${h.url}/o/oauth2/v2/auth`);
    consent.search = new URLSearchParams({
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: asked.join(' '),
      login_hint: email,
    }).toString();
    const redirect = await fetch(consent, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = async (form: Record<string, string>) => {
      const res = await fetch(`${h.url}/token`, {
        method: 'POST',
        body: new URLSearchParams(form),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { scope: string; access_token: string; refresh_token?: string };
    };
    const exchanged = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    });
    expect(exchanged.scope.split(' ')).toEqual(asked);
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: exchanged.refresh_token ?? '',
    });
    expect(refreshed.scope.split(' ')).toEqual(asked);

    const send = await fetch(`${h.url}/gmail/v1/users/me/messages/send`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${refreshed.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ raw: b64url(mime({ To: 'ana@contoso.com', Subject: 'x' })) }),
    });
    expect(send.status).toBe(403);

    const { refreshToken } = (await control(h, 'POST', '/users', { email })) as {
      refreshToken: string;
    };
    const defaults = await token({ grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(defaults.scope.split(' ')).toEqual([
      `${AUTH}/gmail.readonly`,
      `${AUTH}/gmail.send`,
      `${AUTH}/calendar.readonly`,
    ]);
  });

  it('charges 100 quota units per send', async ({ gmail: h }) => {
    const me = 'quota@northwind.com';
    const api = await userWith(h, me);
    await api.users.getProfile({ userId: 'me' }); // the token refresh happens before the count
    const before = (await control(h, 'GET', '/stats')) as {
      quotaUnits: number;
      enforcedUnits: number;
    };
    await api.users.messages.send({
      userId: 'me',
      requestBody: { raw: b64url(mime({ From: me, To: 'ana@contoso.com', Subject: 'Units' })) },
    });
    const after = (await control(h, 'GET', '/stats')) as {
      quotaUnits: number;
      enforcedUnits: number;
      byMethod: Record<string, number>;
    };
    expect(after.quotaUnits - before.quotaUnits).toBe(100);
    expect(after.enforcedUnits - before.enforcedUnits).toBe(100);
    expect(after.byMethod['messages.send']).toBeGreaterThanOrEqual(1);
  });

  it('sends before an afterEffect delay holds the answer: the caller times out, the mail is sent', async ({
    gmail: h,
  }) => {
    const me = 'timeout@northwind.com';
    const api = await userWith(h, me);
    await api.users.getProfile({ userId: 'me' }); // refresh the token before the timed call
    const fired = h.emulator.faults.fired;
    await control(h, 'POST', '/faults', {
      // Held far longer than the wait below, so only a send made before the hold can be seen.
      faults: [{ path: '/messages/send$', afterEffect: true, delayMs: 600_000 }],
    });
    const raw = b64url(mime({ From: me, To: 'ana@contoso.com', Subject: 'Held back' }));
    const err: unknown = await api.users.messages
      .send({ userId: 'me', requestBody: { raw } }, { timeout: 300 })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect((err as { response?: unknown }).response).toBeUndefined();
    expect(h.emulator.faults.fired).toBe(fired + 1);
    await waitFor(
      async () => (await sentBy(h, me)).some((s) => s.subject === 'Held back'),
      'the held-back send in the sent list',
      60_000,
    );
  });
});
