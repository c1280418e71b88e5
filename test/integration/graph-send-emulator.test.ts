import { Client, type PageCollection } from '@microsoft/microsoft-graph-client';
import { describe, expect } from 'vitest';
import type { GraphEmulator } from '../../emulators/microsoft/graph-emulator.ts';
import type { SentItemView } from '../../emulators/microsoft/graph-sent-log.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * Sending through the Graph emulator with the real Graph SDK (provider-apis.md §H.2, §H.3):
 * sendMail in both forms, drafts and their Sent Items copies, replies and their threading, the
 * header and recipient rules, per-grant scopes, the internetMessageId lookup, delivery between the
 * emulator's mailboxes, and a send whose answer never reaches the caller.
 */

interface Recipient {
  emailAddress: { address: string; name?: string };
}
interface MessageJson {
  id: string;
  isDraft: boolean;
  subject: string;
  internetMessageId: string;
  conversationId: string;
  toRecipients: Recipient[];
  bccRecipients: Recipient[];
  body: { contentType: string; content: string };
}

const to = (...addresses: string[]): Recipient[] =>
  addresses.map((address) => ({ emailAddress: { address } }));

async function control(emu: GraphEmulator, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emu.baseUrl()}/__control${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** A mailbox added through the control interface, with its grant's scopes and an access token. */
async function mailbox(emu: GraphEmulator, email: string, scopes?: string[]) {
  const { refreshToken } = (await control(emu, '/mailboxes', { email, scopes })) as {
    refreshToken: string;
  };
  const res = await fetch(`${emu.baseUrl()}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  });
  const token = (await res.json()) as { access_token: string; scope: string };
  return { token, graph: client(emu, token.access_token) };
}

function client(emu: GraphEmulator, accessToken: string): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: () => Promise.resolve(accessToken) },
    baseUrl: emu.baseUrl(),
    customHosts: new Set(['localhost']),
  });
}

const sentBy = async (emu: GraphEmulator, email: string) =>
  ((await control(emu, `/mailboxes/${email}/sent`)) as { items: SentItemView[] }).items;

/** Every page of a folder delta round (initial or from a delta link). */
async function deltaRound(graph: Client, start: string) {
  const items: MessageJson[] = [];
  let page = (await graph.api(start).get()) as PageCollection;
  for (;;) {
    items.push(...(page.value as MessageJson[]));
    if (!page['@odata.nextLink']) {
      return { items, deltaLink: String(page['@odata.deltaLink']) };
    }
    page = (await graph.api(page['@odata.nextLink']).get()) as PageCollection;
  }
}

const rawOf = async (graph: Client, id: string) =>
  new Response((await graph.api(`/me/messages/${id}/$value`).getStream()) as ReadableStream).text();

const byInternetMessageId = async (graph: Client, id: string, folder?: string) =>
  (
    (await graph
      .api(folder ? `/me/mailFolders/${folder}/messages` : '/me/messages')
      .filter(`internetMessageId eq '${id.replace(/'/g, "''")}'`)
      .get()) as { value: MessageJson[] }
  ).value;

describe('Graph emulator: sending through @microsoft/microsoft-graph-client', () => {
  it('sendMail as JSON and as base64 MIME: 202 without a body, a Sent Items copy unless told not to', async ({
    graph: { emulator: emu },
  }) => {
    const me = 'json-sender@contoso.com';
    const { graph } = await mailbox(emu, me);
    const before = await deltaRound(graph, '/me/mailFolders/sentitems/messages/delta');
    expect(before.items).toEqual([]);

    await graph.api('/me/sendMail').post({
      message: {
        subject: 'Quarterly numbers',
        body: { contentType: 'HTML', content: '<p>See <a href="https://x.example/q">this</a></p>' },
        toRecipients: to('ana@fabrikam.com'),
        ccRecipients: to('bo@fabrikam.com'),
        bccRecipients: to('cy@fabrikam.com'),
        internetMessageHeaders: [{ name: 'X-Mailroom-Send', value: 'send-1' }],
      },
    });
    const [json] = await sentBy(emu, me);
    expect(json).toMatchObject({
      subject: 'Quarterly numbers',
      from: me,
      to: ['ana@fabrikam.com'],
      cc: ['bo@fabrikam.com'],
      bcc: ['cy@fabrikam.com'],
    });
    expect(json?.html).toContain('<a href="https://x.example/q">this</a>');
    expect(Buffer.from(json?.raw ?? '', 'base64').toString()).toMatch(
      /^X-Mailroom-Send: send-1\r$/m,
    );
    expect(json?.internetMessageId).toMatch(/^<.+@.+\.namprd13\.prod\.outlook\.com>$/);

    // MIME form: the client's own Message-ID is kept; the raw bytes are what the client sent.
    const eml = buildEml({
      from: me,
      to: ['dee@fabrikam.com'],
      subject: 'From MIME',
      messageId: '<mime-1@mailroom.test>',
      body: 'plain body',
    });
    await graph
      .api('/me/sendMail')
      .header('Content-Type', 'text/plain')
      .post(eml.toString('base64'));
    const sentItems = await deltaRound(graph, before.deltaLink);
    expect(sentItems.items.map((m) => m.internetMessageId).sort()).toEqual(
      [json?.internetMessageId, '<mime-1@mailroom.test>'].sort(),
    );
    const mimeCopy = sentItems.items.find((m) => m.internetMessageId === '<mime-1@mailroom.test>');
    expect(mimeCopy?.subject).toBe('From MIME');
    expect(await rawOf(graph, mimeCopy?.id ?? '')).toContain('plain body');
    // The JSON send's copy maps back through the same message JSON as any stored message.
    const jsonCopy = sentItems.items.find((m) => m.internetMessageId === json?.internetMessageId);
    expect(jsonCopy).toMatchObject({
      isDraft: false,
      bccRecipients: to('cy@fabrikam.com').map((r) => ({
        emailAddress: { ...r.emailAddress, name: r.emailAddress.address },
      })),
      body: { contentType: 'html' },
    });

    await expect(
      graph.api('/me/sendMail').header('Content-Type', 'text/plain').post('not base64 at all!'),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'ErrorMimeContentInvalidBase64String',
      message: 'Invalid base64 string for MIME content.',
    });

    // saveToSentItems "false" (a string, as the docs' own example sends it): sent, no copy kept.
    await graph.api('/me/sendMail').post({
      message: { subject: 'No copy', toRecipients: to('ana@fabrikam.com') },
      saveToSentItems: 'false',
    });
    const log = await sentBy(emu, me);
    expect(log.map((s) => [s.subject, s.id === null])).toEqual([
      ['Quarterly numbers', false],
      ['From MIME', false],
      ['No copy', true],
    ]);
    expect((await deltaRound(graph, sentItems.deltaLink)).items).toEqual([]);

    // The 202 carries no body and no Content-Type (the SDK resolves it without parsing).
    const raw = await fetch(`${emu.baseUrl()}/v1.0/me/sendMail`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await mailbox(emu, me)).token.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ message: { toRecipients: to('ana@fabrikam.com') } }),
    });
    expect(raw.status).toBe(202);
    expect(raw.headers.get('content-type')).toBeNull();
    expect(await raw.text()).toBe('');
  });

  it('a draft is created, changed and sent: the Sent Items copy has a new id and the same ids', async ({
    graph: { emulator: emu },
  }) => {
    const me = 'drafter@contoso.com';
    const { graph } = await mailbox(emu, me);
    const sent0 = await deltaRound(graph, '/me/mailFolders/sentitems/messages/delta');
    const inbox0 = await deltaRound(graph, '/me/mailFolders/inbox/messages/delta');

    const draft = (await graph.api('/me/messages').post({
      subject: 'First subject',
      body: { contentType: 'Text', content: 'Hello' },
      toRecipients: to('ana@fabrikam.com'),
    })) as MessageJson;
    expect(draft).toMatchObject({ isDraft: true, subject: 'First subject' });
    expect(draft.internetMessageId).toMatch(/^<.+@.+\.namprd13\.prod\.outlook\.com>$/);
    expect(draft.conversationId).toEqual(expect.any(String));
    const drafts = await deltaRound(graph, '/me/mailFolders/drafts/messages/delta');
    expect(drafts.items.map((m) => m.id)).toEqual([draft.id]);
    expect((await deltaRound(graph, sent0.deltaLink)).items).toEqual([]);
    expect((await deltaRound(graph, inbox0.deltaLink)).items).toEqual([]);

    const patched = (await graph
      .api(`/me/messages/${draft.id}`)
      .patch({ subject: 'Second subject', ccRecipients: to('bo@fabrikam.com') })) as MessageJson;
    expect(patched).toMatchObject({
      id: draft.id,
      subject: 'Second subject',
      internetMessageId: draft.internetMessageId,
      conversationId: draft.conversationId,
      body: { contentType: 'text', content: 'Hello' },
    });

    await graph.api(`/me/messages/${draft.id}/send`).post({});
    await expect(graph.api(`/me/messages/${draft.id}`).get()).rejects.toMatchObject({
      statusCode: 404,
      code: 'ErrorItemNotFound',
    });
    const sent = await deltaRound(graph, sent0.deltaLink);
    expect(sent.items).toHaveLength(1);
    const copy = sent.items[0];
    expect(copy?.id).not.toBe(draft.id);
    expect(copy).toMatchObject({
      isDraft: false,
      subject: 'Second subject',
      internetMessageId: draft.internetMessageId,
      conversationId: draft.conversationId,
    });
    expect((await deltaRound(graph, drafts.deltaLink)).items).toEqual([
      expect.objectContaining({ id: draft.id, '@removed': { reason: 'deleted' } }),
    ]);
    const [logged] = await sentBy(emu, me);
    expect(logged).toMatchObject({ id: copy?.id, cc: ['bo@fabrikam.com'] });

    // The lookup a sender uses to find its sent copy, across folders and within one.
    expect((await byInternetMessageId(graph, draft.internetMessageId)).map((m) => m.id)).toEqual([
      copy?.id,
    ]);
    expect(
      (await byInternetMessageId(graph, draft.internetMessageId, 'sentitems')).map((m) => m.id),
    ).toEqual([copy?.id]);
    expect(await byInternetMessageId(graph, draft.internetMessageId, 'inbox')).toEqual([]);
    expect(await byInternetMessageId(graph, "<no-such-o'id@x>")).toEqual([]);
    await expect(
      graph.api('/me/messages').filter("subject eq 'Second subject'").get(),
    ).rejects.toMatchObject({ statusCode: 400 });

    // A draft from base64 MIME keeps the client's Message-ID.
    const mimeDraft = (await graph
      .api('/me/messages')
      .header('Content-Type', 'text/plain')
      .post(
        buildEml({
          from: me,
          to: ['ana@fabrikam.com'],
          messageId: '<d-mime@mailroom.test>',
        }).toString('base64'),
      )) as MessageJson;
    expect(mimeDraft).toMatchObject({ isDraft: true, internetMessageId: '<d-mime@mailroom.test>' });

    // A sent message is no draft any more.
    await expect(
      graph.api(`/me/messages/${copy?.id ?? ''}`).patch({ subject: 'x' }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('createReply threads the reply (In-Reply-To, References, conversationId); reply sends at once', async ({
    graph: { emulator: emu },
  }) => {
    const me = 'replier@contoso.com';
    const { graph } = await mailbox(emu, me);
    const original = await emu.addMime(
      me,
      'inbox',
      buildEml({
        from: 'Ana <ana@fabrikam.com>',
        to: [me],
        subject: 'Pricing',
        messageId: '<orig@fabrikam.com>',
        inReplyTo: '<root@fabrikam.com>',
        references: ['<root@fabrikam.com>'],
        headers: { 'Reply-To': 'Sales <sales@fabrikam.com>' },
      }),
    );

    const draft = (await graph
      .api(`/me/messages/${original.id}/createReply`)
      .post({ comment: 'Thanks, on it.' })) as MessageJson;
    expect(draft).toMatchObject({
      isDraft: true,
      subject: 'RE: Pricing',
      conversationId: original.json.conversationId,
      toRecipients: [{ emailAddress: { address: 'sales@fabrikam.com' } }],
    });
    const raw = await rawOf(graph, draft.id);
    expect(raw).toMatch(/^In-Reply-To: <orig@fabrikam\.com>\r$/m);
    expect(raw).toMatch(/^References: <root@fabrikam\.com> <orig@fabrikam\.com>\r$/m);

    await graph.api(`/me/messages/${draft.id}/send`).post({});
    const [sent] = await sentBy(emu, me);
    expect(sent).toMatchObject({
      subject: 'RE: Pricing',
      to: ['sales@fabrikam.com'],
      inReplyTo: '<orig@fabrikam.com>',
      references: ['<root@fabrikam.com>', '<orig@fabrikam.com>'],
      conversationId: original.json.conversationId,
      internetMessageId: draft.internetMessageId,
    });
    expect(sent?.text?.trim()).toBe('Thanks, on it.');

    await expect(
      graph
        .api(`/me/messages/${original.id}/createReply`)
        .post({ comment: 'a', message: { subject: 'b' } }),
    ).rejects.toMatchObject({ statusCode: 400 });

    // reply: straight to Sent Items, with the same threading.
    await graph
      .api(`/me/messages/${original.id}/reply`)
      .post({ comment: 'Second thought', message: { ccRecipients: to('bo@fabrikam.com') } });
    const log = await sentBy(emu, me);
    expect(log).toHaveLength(2);
    expect(log[1]).toMatchObject({
      subject: 'RE: Pricing',
      to: ['sales@fabrikam.com'],
      cc: ['bo@fabrikam.com'],
      inReplyTo: '<orig@fabrikam.com>',
      conversationId: original.json.conversationId,
    });
    const copy: unknown = await graph.api(`/me/messages/${log[1]?.id ?? ''}`).get();
    expect(copy).toMatchObject({ conversationId: original.json.conversationId, isDraft: false });
  });

  it('refuses non-x- headers, more than 5 headers, and no or too many recipients', async ({
    graph: { emulator: emu },
  }) => {
    const me = 'rules@contoso.com';
    const { graph } = await mailbox(emu, me);
    const send = (message: Record<string, unknown>) => graph.api('/me/sendMail').post({ message });
    await expect(
      send({
        toRecipients: to('ana@fabrikam.com'),
        internetMessageHeaders: [
          { name: 'X-Fine', value: '1' },
          { name: 'In-Reply-To', value: '<orig@fabrikam.com>' },
        ],
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'InvalidInternetMessageHeader',
      message: "The internet message header name 'In-Reply-To' should start with 'x-' or 'X-'.",
    });
    await expect(
      graph.api('/me/messages').post({
        internetMessageHeaders: Array.from({ length: 6 }, (_, i) => ({
          name: `x-h${i}`,
          value: String(i),
        })),
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'InvalidInternetMessageHeaderCollection' });
    await expect(send({ subject: 'nobody' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'ErrorInvalidRecipients',
      message: "At least one recipient isn't valid.",
    });
    await expect(
      send({
        toRecipients: to(...Array.from({ length: 300 }, (_, i) => `t${i}@fabrikam.com`)),
        bccRecipients: to(...Array.from({ length: 201 }, (_, i) => `b${i}@fabrikam.com`)),
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'ErrorInvalidRecipients' });
    // A draft without recipients is fine; sending it is not, and it stays a draft.
    const draft = (await graph.api('/me/messages').post({ subject: 'later' })) as MessageJson;
    await expect(graph.api(`/me/messages/${draft.id}/send`).post({})).rejects.toMatchObject({
      statusCode: 400,
      code: 'ErrorInvalidRecipients',
    });
    expect(await graph.api(`/me/messages/${draft.id}`).get()).toMatchObject({ isDraft: true });
    // Exactly 500 is allowed.
    await send({ toRecipients: to(...Array.from({ length: 500 }, (_, i) => `t${i}@x.example`)) });
    expect(await sentBy(emu, me)).toHaveLength(1);
  });

  it('scopes: the grant decides; Mail.Send to send, Mail.ReadWrite to write drafts; reads need neither', async ({
    graph: { emulator: emu },
  }) => {
    const denied = { statusCode: 403, code: 'ErrorAccessDenied' };
    const reader = await mailbox(emu, 'reader@contoso.com', ['Mail.Read', 'User.Read']);
    expect(reader.token.scope).toBe('Mail.Read User.Read');
    const original = await emu.addMime(
      'reader@contoso.com',
      'inbox',
      buildEml({ from: 'ana@fabrikam.com', to: ['reader@contoso.com'], messageId: '<r1@x>' }),
    );
    const message = { toRecipients: to('ana@fabrikam.com') };
    await expect(reader.graph.api('/me/sendMail').post({ message })).rejects.toMatchObject({
      ...denied,
      message: 'Access is denied. Check credentials and try again.',
    });
    await expect(reader.graph.api('/me/messages').post(message)).rejects.toMatchObject(denied);
    await expect(
      reader.graph.api(`/me/messages/${original.id}/createReply`).post({}),
    ).rejects.toMatchObject(denied);
    await expect(
      reader.graph.api(`/me/messages/${original.id}/reply`).post({}),
    ).rejects.toMatchObject(denied);
    await expect(
      reader.graph.api(`/me/messages/${original.id}`).patch({ subject: 'x' }),
    ).rejects.toMatchObject(denied);
    expect(await reader.graph.api(`/me/messages/${original.id}`).get()).toMatchObject({
      internetMessageId: '<r1@x>',
    });

    // Drafts but no sending.
    const writer = await mailbox(emu, 'writer@contoso.com', ['Mail.ReadWrite']);
    const draft = (await writer.graph.api('/me/messages').post(message)) as MessageJson;
    await expect(writer.graph.api(`/me/messages/${draft.id}/send`).post({})).rejects.toMatchObject(
      denied,
    );
    expect(await sentBy(emu, 'writer@contoso.com')).toEqual([]);

    // Consent records the requested scopes; the tokens of the code inherit them.
    const authorize = new URL(`${emu.baseUrl()}/common/oauth2/v2.0/authorize`);
    authorize.search = new URLSearchParams({
      redirect_uri: 'https://app.example/cb',
      login_hint: 'reader@contoso.com',
      scope: 'offline_access Mail.Read Mail.Send',
    }).toString();
    const consent = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const exchanged = (await (
      await fetch(`${emu.baseUrl()}/common/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example/cb',
        }),
      })
    ).json()) as { access_token: string; scope: string };
    expect(exchanged.scope).toBe('offline_access Mail.Read Mail.Send');
    await client(emu, exchanged.access_token).api('/me/sendMail').post({ message });
    expect(await sentBy(emu, 'reader@contoso.com')).toHaveLength(1);
  });

  it('delivers to the mailboxes it holds: To and Bcc get inbox copies, none shows the Bcc', async ({
    graph: { emulator: emu },
  }) => {
    const me = 'deliverer@contoso.com';
    const { graph } = await mailbox(emu, me);
    const ana = await mailbox(emu, 'ana@contoso.com');
    const hidden = await mailbox(emu, 'hidden@contoso.com');
    await graph.api('/me/sendMail').post({
      message: {
        subject: 'Hand-over',
        body: { contentType: 'Text', content: 'Details inside' },
        toRecipients: to('ana@contoso.com', 'outside@fabrikam.com'),
        bccRecipients: to('hidden@contoso.com'),
      },
    });
    const [sent] = await sentBy(emu, me);
    for (const recipient of [ana, hidden]) {
      const inbox = await deltaRound(recipient.graph, '/me/mailFolders/inbox/messages/delta');
      expect(inbox.items).toHaveLength(1);
      expect(inbox.items[0]).toMatchObject({
        subject: 'Hand-over',
        internetMessageId: sent?.internetMessageId,
        bccRecipients: [],
      });
      const raw = await rawOf(recipient.graph, inbox.items[0]?.id ?? '');
      expect(raw).toContain('Details inside');
      expect(raw).not.toMatch(/^bcc:/im);
    }
    // The sender's copy keeps its Bcc.
    const [copy] = await byInternetMessageId(graph, sent?.internetMessageId ?? '', 'sentitems');
    expect(copy?.bccRecipients.map((r) => r.emailAddress.address)).toEqual(['hidden@contoso.com']);
  });

  it('a send whose answer is held back past the client timeout still happened', async ({
    graph: { emulator: emu },
  }) => {
    // Its own mailbox: the request the client abandons holds one of its concurrency slots.
    const me = 'timeout@contoso.com';
    const { graph } = await mailbox(emu, me);
    const draft = (await graph.api('/me/messages').post({
      subject: 'Did it go?',
      toRecipients: to('ana@fabrikam.com'),
    })) as MessageJson;
    const fired = emu.faults.fired;
    await control(emu, '/faults', {
      faults: [{ path: '/send$', method: 'POST', delayMs: 60_000, afterEffect: true }],
    });
    await expect(
      graph
        .api(`/me/messages/${draft.id}/send`)
        .option('signal', AbortSignal.timeout(3_000))
        .post({}),
    ).rejects.toThrow();
    expect(emu.faults.fired).toBe(fired + 1);
    await waitFor(
      async () =>
        (await byInternetMessageId(graph, draft.internetMessageId, 'sentitems')).length === 1,
      'the sent copy of the timed-out send',
    );
    expect((await sentBy(emu, me)).map((s) => s.subject)).toEqual(['Did it go?']);
  });
});
