import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import {
  buildGraphEmulator,
  type GraphEmulator,
} from '../../emulators/microsoft/graph-emulator.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The Graph emulator's change notifications (provider-apis.md §D.6): subscriptions created after
 * the validation handshake, their bounds, notifications for the subscribed folder or the calendar,
 * gathered into one POST per URL, redelivered after a failure, lifecycle events, renewal,
 * deletion and 404s. A small real receiver stands in for Mailroom. No database.
 */

// The receiver runs over plain HTTP; short retry pauses keep the redelivery test quick.
it.override(
  'graphOptions',
  { scope: 'file' },
  { allowHttpNotifications: true, notificationBackoffMs: [100, 200] },
);

let receiver: PushReceiver;
beforeAll(async () => {
  receiver = await startPushReceiver();
});
afterAll(() => receiver.close());

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

async function api(
  emu: GraphEmulator,
  email: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
) {
  const res = await fetch(`${emu.baseUrl()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emu.identity.issueAccessToken(email)}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function subscribe(emu: GraphEmulator, email: string, fields: Record<string, unknown>) {
  return api(emu, email, 'POST', '/v1.0/subscriptions', {
    changeType: 'created,updated,deleted',
    expirationDateTime: minutes(120),
    clientState: 'secret-client-state',
    ...fields,
  });
}

const hook = (name: string) => `${receiver.url}/${name}`;

interface Notification {
  subscriptionId: string;
  clientState: string | null;
  changeType: string;
  resource: string;
  tenantId: string;
  subscriptionExpirationDateTime: string;
  lifecycleEvent?: string;
  resourceData?: Record<string, string>;
}

/** The notification POSTs that reached `/push/<name>`, each a list. */
const postsTo = (name: string) =>
  receiver
    .notifications()
    .filter((n) => n.request.url === `/push/${name}`)
    .map((n) => (n.json as { value: Notification[] }).value);

const quiet = (emu: GraphEmulator) =>
  waitFor(() => Promise.resolve(emu.notifier.pending === 0), 'the notifications to settle');

describe('Graph change-notification subscriptions', () => {
  it('validates the URL, raises a short expiry to 45 minutes and notifies the subscribed folder only', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'subs@contoso.com';
    const mb = emu.store.mailbox(email);
    const validations = emu.stats.notifications.validations;
    const inbox = await subscribe(emu, email, {
      resource: "me/mailFolders('Inbox')/messages",
      notificationUrl: hook('inbox'),
      expirationDateTime: minutes(10),
    });
    expect(inbox.status).toBe(201);
    expect(inbox.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      resource: "me/mailFolders('Inbox')/messages",
      changeType: 'created,updated,deleted',
      clientState: 'secret-client-state',
      notificationUrl: hook('inbox'),
      lifecycleNotificationUrl: null,
      creatorId: mb.userId,
      includeResourceData: false,
      notificationQueryOptions: null,
      encryptionCertificate: null,
    });
    expect(Date.parse(String(inbox.body['expirationDateTime']))).toBeGreaterThan(
      Date.now() + 44 * 60_000,
    );
    expect(emu.stats.notifications.validations).toBe(validations + 1);
    const handshake = receiver.received.find((r) => r.url.startsWith('/push/inbox?'));
    expect(handshake?.headers['content-type']).toMatch(/^text\/plain/);
    expect(handshake?.body).toBe('');
    expect(handshake?.url).toMatch(/validationToken=Validation%3A%20Testing%20client/);

    const sent = await subscribe(emu, email, {
      resource: "me/mailFolders('sentitems')/messages",
      notificationUrl: hook('sent'),
    });
    const events = await subscribe(emu, email, {
      resource: 'me/events',
      notificationUrl: hook('events'),
      changeType: 'created',
    });
    expect([sent.status, events.status]).toEqual([201, 201]);

    const added = await emu.addMime(
      email,
      'inbox',
      buildEml({ from: 'a@fabrikam.com', to: [email], messageId: '<n1@x>' }),
    );
    const event = emu.calendars.upsertEvent(email, { subject: 'Call' });
    emu.calendars.upsertEvent(email, { ...event, subject: 'Call (moved)' });
    await quiet(emu);

    expect(postsTo('inbox')).toEqual([
      [
        {
          id: expect.any(String) as unknown,
          subscriptionId: inbox.body['id'],
          subscriptionExpirationDateTime: inbox.body['expirationDateTime'],
          clientState: 'secret-client-state',
          changeType: 'created',
          resource: `Users/${mb.userId}/Messages/${added.id}`,
          tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
          resourceData: {
            '@odata.type': '#Microsoft.Graph.Message',
            '@odata.id': `Users/${mb.userId}/Messages/${added.id}`,
            '@odata.etag': expect.stringMatching(/^W\/".+"$/) as unknown,
            id: added.id,
          },
        },
      ],
    ]);
    expect(postsTo('sent')).toEqual([]);
    // `created` only: the update of the event is not notified.
    expect(postsTo('events').flat()).toEqual([
      expect.objectContaining({
        changeType: 'created',
        resource: `Users/${mb.userId}/Events/${event.id}`,
        resourceData: expect.objectContaining({
          '@odata.type': '#Microsoft.Graph.Event',
        }) as unknown,
      }),
    ]);
    expect(emu.stats.notifications.delivered).toBeGreaterThanOrEqual(2);
  });

  it('notifies a send: the Sent Items copy and the delivery to a mailbox of the emulator', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'sender@contoso.com';
    const rcpt = 'rcpt@contoso.com';
    emu.store.mailbox(rcpt);
    const sent = await subscribe(emu, email, {
      resource: "me/mailFolders('SentItems')/messages",
      notificationUrl: hook('send-sent'),
    });
    const inbox = await subscribe(emu, rcpt, {
      resource: "me/mailFolders('inbox')/messages",
      notificationUrl: hook('send-inbox'),
    });
    const res = await api(emu, email, 'POST', '/v1.0/me/sendMail', {
      message: {
        subject: 'Push me',
        body: { contentType: 'Text', content: 'Hello.' },
        toRecipients: [{ emailAddress: { address: rcpt } }],
      },
    });
    expect(res.status).toBe(202);
    await quiet(emu);
    const [copy] = emu.outbox.sentBy(email);
    expect(postsTo('send-sent').flat()).toEqual([
      expect.objectContaining({
        subscriptionId: sent.body['id'],
        changeType: 'created',
        resourceData: expect.objectContaining({ id: copy?.id }) as unknown,
      }),
    ]);
    const delivered = [...emu.store.mailbox(rcpt).messages.values()].map((m) => m.id);
    expect(postsTo('send-inbox').flat()).toEqual([
      expect.objectContaining({
        subscriptionId: inbox.body['id'],
        changeType: 'created',
        resourceData: expect.objectContaining({ id: delivered[0] }) as unknown,
      }),
    ]);
  });

  it('refuses a subscription whose URL fails the handshake', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'handshake@contoso.com';
    emu.store.mailbox(email);
    const answer = receiver.answer;
    receiver.answer = (r, i) => {
      if (r.url.startsWith('/push/wrong-body?')) {
        return { status: 200, body: 'not the token', contentType: 'text/plain' };
      }
      if (r.url.startsWith('/push/wrong-type?')) {
        return {
          status: 200,
          body: r.query['validationToken'] ?? '',
          contentType: 'application/json',
        };
      }
      if (r.url.startsWith('/push/wrong-status?')) {
        return { status: 202, body: r.query['validationToken'] ?? '' };
      }
      return answer(r, i);
    };
    for (const name of ['wrong-body', 'wrong-type', 'wrong-status']) {
      const res = await subscribe(emu, email, {
        resource: 'me/messages',
        notificationUrl: hook(name),
      });
      expect(res.status).toBe(400);
      expect(res.body['error']).toMatchObject({
        code: 'ValidationError',
        message: expect.stringMatching(/^Subscription validation request failed\./) as unknown,
      });
    }
    // The lifecycle URL is validated too.
    const res = await subscribe(emu, email, {
      resource: 'me/messages',
      notificationUrl: hook('good'),
      lifecycleNotificationUrl: hook('wrong-body'),
    });
    expect(res.status).toBe(400);
    receiver.answer = answer;
    expect((await api(emu, email, 'GET', '/v1.0/subscriptions')).body['value']).toEqual([]);
  });

  it('refuses what Graph refuses: resource, clientState, expiry, plain http', async () => {
    // An emulator as Graph is: https notification URLs only.
    const strict = buildGraphEmulator({ tls: inject('tls'), requestsPerWindow: null });
    const email = 'strict@contoso.com';
    strict.store.mailbox(email);
    const create = async (fields: Record<string, unknown>) => {
      const res = await strict.app.inject({
        method: 'POST',
        url: '/v1.0/subscriptions',
        headers: { authorization: `Bearer ${strict.identity.issueAccessToken(email)}` },
        payload: {
          changeType: 'created',
          notificationUrl: 'https://127.0.0.1:9/hook',
          resource: 'me/messages',
          expirationDateTime: minutes(60),
          ...fields,
        },
      });
      return { status: res.statusCode, code: res.json<{ error: { code: string } }>().error.code };
    };
    const refused = { status: 400, code: 'InvalidRequest' };
    expect(await create({ resource: "me/mailFolders('drafts')/messages" })).toEqual(refused);
    expect(await create({ resource: 'me/contacts' })).toEqual(refused);
    expect(await create({ changeType: 'created,moved' })).toEqual(refused);
    expect(await create({ clientState: 'x'.repeat(129) })).toEqual(refused);
    expect(await create({ expirationDateTime: minutes(-1) })).toEqual(refused);
    expect(await create({ expirationDateTime: minutes(10_081) })).toEqual(refused);
    expect(await create({ notificationUrl: 'http://127.0.0.1:9/hook' })).toEqual(refused);
    // Nothing listens on port 9: a valid request fails the handshake.
    expect(await create({ clientState: 'x'.repeat(128) })).toEqual({
      status: 400,
      code: 'ValidationError',
    });
    expect(strict.stats.notifications.validations).toBe(1);
    await strict.app.close();
  });

  it('gathers changes into one POST per URL and redelivers one answered 500', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'batch@contoso.com';
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const m = await emu.addMime(
        email,
        'archive',
        buildEml({ from: 'b@fabrikam.com', to: [email], messageId: `<b${i}@x>` }),
      );
      ids.push(m.id);
    }
    const inbox = await subscribe(emu, email, {
      resource: 'me/mailFolders/inbox/messages',
      notificationUrl: hook('batch'),
    });
    const all = await subscribe(emu, email, {
      resource: 'me/messages',
      notificationUrl: hook('batch'),
    });
    const answer = receiver.answer;
    let failedOnce = false;
    receiver.answer = (r, i) => {
      if (r.url === '/push/batch' && !failedOnce) {
        failedOnce = true;
        return { status: 500 };
      }
      return answer(r, i);
    };
    const before = { ...emu.stats.notifications };
    // Three moves in the same instant: the inbox sees them created, me/messages sees updates.
    for (const id of ids) {
      emu.store.move(email, id, 'inbox');
    }
    await quiet(emu);
    receiver.answer = answer;

    const posts = postsTo('batch');
    expect(posts).toHaveLength(2);
    expect(posts[1]).toEqual(posts[0]);
    const items = posts[0] ?? [];
    expect(items).toHaveLength(6);
    expect(
      items.filter((n) => n.subscriptionId === inbox.body['id']).map((n) => n.changeType),
    ).toEqual(['created', 'created', 'created']);
    expect(
      items.filter((n) => n.subscriptionId === all.body['id']).map((n) => n.changeType),
    ).toEqual(['updated', 'updated', 'updated']);
    expect(emu.stats.notifications.retried - before.retried).toBe(1);
    expect(emu.stats.notifications.delivered - before.delivered).toBe(1);
  });

  it('sends lifecycle events; reauthorizationRequired pauses until reauthorize, subscriptionRemoved ends it', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'life@contoso.com';
    const created = await subscribe(emu, email, {
      resource: 'me/messages',
      notificationUrl: hook('life'),
      lifecycleNotificationUrl: hook('lifecycle'),
    });
    expect(created.status).toBe(201);
    const id = String(created.body['id']);
    const lifecycle = (event: string) =>
      fetch(`${emu.baseUrl()}/__control/subscriptions/${id}/lifecycle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event }),
      });
    const listed = async () =>
      (
        (await (
          await fetch(`${emu.baseUrl()}/__control/mailboxes/${email}/subscriptions`)
        ).json()) as { value: Record<string, unknown>[] }
      ).value;

    expect((await lifecycle('reauthorizationRequired')).status).toBe(200);
    expect((await listed())[0]).toMatchObject({ id, reauthorizationRequired: true });
    await emu.addMime(email, 'inbox', buildEml({ from: 'c@fabrikam.com', to: [email] }));
    await quiet(emu);
    expect(postsTo('lifecycle').flat()).toEqual([
      {
        subscriptionId: id,
        subscriptionExpirationDateTime: created.body['expirationDateTime'],
        tenantId: expect.any(String) as unknown,
        clientState: 'secret-client-state',
        lifecycleEvent: 'reauthorizationRequired',
      },
    ]);
    expect(postsTo('life')).toEqual([]);

    expect((await api(emu, email, 'POST', `/v1.0/subscriptions/${id}/reauthorize`)).status).toBe(
      204,
    );
    const after = await emu.addMime(
      email,
      'inbox',
      buildEml({ from: 'd@fabrikam.com', to: [email] }),
    );
    await quiet(emu);
    expect(
      postsTo('life')
        .flat()
        .map((n) => n.resourceData?.['id']),
    ).toEqual([after.id]);

    expect((await lifecycle('missed')).status).toBe(200);
    expect((await lifecycle('subscriptionRemoved')).status).toBe(200);
    await quiet(emu);
    expect(
      postsTo('lifecycle')
        .flat()
        .map((n) => n.lifecycleEvent),
    ).toEqual(['reauthorizationRequired', 'missed', 'subscriptionRemoved']);
    expect((await api(emu, email, 'GET', `/v1.0/subscriptions/${id}`)).status).toBe(404);
    expect(await listed()).toEqual([]);

    const plain = await subscribe(emu, email, {
      resource: 'me/events',
      notificationUrl: hook('life'),
    });
    expect((await lifecycle('missed')).status).toBe(404);
    const noUrl = await fetch(
      `${emu.baseUrl()}/__control/subscriptions/${String(plain.body['id'])}/lifecycle`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'missed' }),
      },
    );
    expect(noUrl.status).toBe(400);
  });

  it('renews with PATCH, deletes, and answers 404 for unknown, deleted or expired ids', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'renew@contoso.com';
    const other = 'someone-else@contoso.com';
    emu.store.mailbox(other);
    const created = await subscribe(emu, email, {
      resource: 'me/events',
      notificationUrl: hook('renew'),
    });
    const id = String(created.body['id']);
    const path = `/v1.0/subscriptions/${id}`;

    const later = minutes(3 * 24 * 60);
    const renewed = await api(emu, email, 'PATCH', path, { expirationDateTime: later });
    expect(renewed.status).toBe(200);
    expect(renewed.body['expirationDateTime']).toBe(later);
    expect((await api(emu, email, 'PATCH', path, { expirationDateTime: minutes(-5) })).status).toBe(
      400,
    );
    expect((await api(emu, email, 'GET', path)).body['expirationDateTime']).toBe(later);
    // Another mailbox does not see it.
    expect((await api(emu, other, 'GET', path)).status).toBe(404);

    const unknown = await api(
      emu,
      email,
      'GET',
      '/v1.0/subscriptions/00000000-0000-0000-0000-000000000000',
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body['error']).toMatchObject({ code: 'ResourceNotFound' });

    expect((await api(emu, email, 'DELETE', path)).status).toBe(204);
    expect((await api(emu, email, 'GET', path)).status).toBe(404);
    expect((await api(emu, email, 'PATCH', path, { expirationDateTime: later })).status).toBe(404);
    expect((await api(emu, email, 'DELETE', path)).status).toBe(404);

    // Past its expiry a subscription is gone, and notifies nothing.
    const expiring = await subscribe(emu, email, {
      resource: 'me/events',
      notificationUrl: hook('renew'),
    });
    const expiringId = String(expiring.body['id']);
    await fetch(`${emu.baseUrl()}/__control/subscriptions/${expiringId}/expire`, {
      method: 'POST',
    });
    emu.calendars.upsertEvent(email, { subject: 'After expiry' });
    await quiet(emu);
    expect(postsTo('renew')).toEqual([]);
    expect((await api(emu, email, 'GET', `/v1.0/subscriptions/${expiringId}`)).status).toBe(404);
  });
});
