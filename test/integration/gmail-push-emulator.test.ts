import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { buildGmailEmulator } from '../../emulators/google/gmail-emulator.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import type { GmailHarness } from '../helpers/gmail-harness.ts';
import { startPushReceiver, type PushReceiver } from '../helpers/push-receiver.ts';
import { waitFor } from '../helpers/wait-for.ts';

/**
 * The Gmail emulator's watch notifications through emulated Pub/Sub push (provider-apis.md §A.7):
 * `users.watch` through the real @googleapis/gmail client, the push body, the OIDC token verified by
 * google-auth-library against the emulator's `/oauth2/v1/certs`, the label filter, `users.stop`,
 * the 1 per second per user drop and at-least-once redelivery. No database: the emulator alone.
 */

// Short retry pauses, so that giving up (after the last one) happens within the test.
it.override('gmailOptions', { scope: 'file' }, { pushBackoffMs: [100, 200, 400] });

const AUDIENCE = 'https://mailroom.test/push/google';

let receiver: PushReceiver;
beforeAll(async () => {
  receiver = await startPushReceiver(() => ({ status: 204 }));
});
afterAll(() => receiver.close());

async function control(h: GmailHarness, method: 'POST' | 'GET', path: string, body?: unknown) {
  const res = await fetch(`${h.url}/__control${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function userWith(h: GmailHarness, email: string): Promise<gmail_v1.Gmail> {
  const { body } = await control(h, 'POST', '/users', { email });
  const auth = new OAuth2Client({
    clientId: 'test-client',
    clientSecret: 'test-secret',
    endpoints: { oauth2TokenUrl: `${h.url}/token` },
  });
  auth.setCredentials({ refresh_token: String(body['refreshToken']) });
  return gmail({ version: 'v1', auth, rootUrl: `${h.url}/` });
}

/** A push subscription on its own topic, delivering to the receiver under its own path. */
async function subscribe(h: GmailHarness, topicName: string, extra: Record<string, unknown> = {}) {
  const path = `/push/${topicName.split('/').pop() ?? ''}`;
  const res = await control(h, 'POST', '/pubsub/subscriptions', {
    topic: topicName,
    pushEndpoint: receiver.url.replace('/push', path),
    ...extra,
  });
  expect(res.status).toBe(201);
  return { name: String(res.body['name']), path };
}

interface PushBody {
  message: { data: string; messageId: string; publishTime: string; attributes: object };
  subscription: string;
}

const pushesTo = (path: string) =>
  receiver.received
    .filter((r) => r.url === path)
    .map((r) => ({ request: r, body: JSON.parse(r.body) as PushBody }));

const decoded = (p: PushBody) =>
  JSON.parse(Buffer.from(p.message.data, 'base64').toString()) as Record<string, unknown>;

const verifier = (h: GmailHarness) =>
  new OAuth2Client({ endpoints: { oauth2FederatedSignonPemCertsUrl: `${h.url}/oauth2/v1/certs` } });

describe('Gmail watch notifications through emulated Pub/Sub push', () => {
  it('publishes on watch and on a new message, with an OIDC token google-auth-library verifies', async ({
    gmail: h,
  }) => {
    const email = 'watch@northwindtraders.com';
    const topicName = 'projects/mailroom-local/topics/verified';
    const { name, path } = await subscribe(h, topicName, { audience: AUDIENCE });
    expect(name).toMatch(/^projects\/mailroom-local\/subscriptions\/gmail-push-\d+$/);
    const api = await userWith(h, email);

    const watch = await api.users.watch({
      userId: 'me',
      requestBody: { topicName, labelIds: ['INBOX'] },
    });
    expect(watch.data.historyId).toEqual(expect.stringMatching(/^\d+$/));
    expect(Number(watch.data.expiration)).toBeGreaterThan(Date.now() + 6 * 86_400_000);

    // The watch's own notification.
    await waitFor(() => Promise.resolve(pushesTo(path).length === 1), 'the watch notification');
    const first = pushesTo(path)[0];
    if (!first) {
      throw new Error('no watch notification');
    }
    expect(first.request.headers['content-type']).toMatch(/^application\/json/);
    expect(first.body.subscription).toBe(name);
    expect(first.body.message).toMatchObject({
      messageId: expect.stringMatching(/^\d+$/) as string,
      attributes: {},
    });
    expect(decoded(first.body)).toEqual({ emailAddress: email, historyId: watch.data.historyId });

    const auth = String(first.request.headers['authorization']);
    expect(auth).toMatch(/^Bearer /);
    const ticket = await verifier(h).verifyIdToken({
      idToken: auth.slice('Bearer '.length),
      audience: AUDIENCE,
    });
    expect(ticket.getPayload()).toMatchObject({
      iss: 'https://accounts.google.com',
      aud: AUDIENCE,
      email: 'pubsub-push@mailroom-local.iam.gserviceaccount.com',
      email_verified: true,
    });
    const certs = await fetch(`${h.url}/oauth2/v1/certs`);
    expect(certs.headers.get('cache-control')).toBe('public, max-age=3600');

    // A new inbox message, once the second since the watch's notification has passed.
    await waitFor(
      () => Promise.resolve(Date.now() - Date.parse(first.body.message.publishTime) > 1000),
      'a second after the watch notification',
    );
    const added = h.emulator.store.addMessage(
      email,
      buildEml({ from: 'x@fabrikam.com', to: [email], messageId: '<push1@x>' }),
    );
    await waitFor(() => Promise.resolve(pushesTo(path).length === 2), 'the message notification');
    const second = pushesTo(path)[1]?.body;
    if (!second) {
      throw new Error('no message notification');
    }
    expect(decoded(second)).toEqual({ emailAddress: email, historyId: String(added.historyId) });
    expect(second.message.messageId).not.toBe(first.body.message.messageId);
  });

  it('mints valid, expired and forged tokens for the receiving end to check', async ({
    gmail: h,
  }) => {
    const mint = async (extra: Record<string, unknown>) =>
      String(
        (await control(h, 'POST', '/pubsub/token', { audience: AUDIENCE, ...extra })).body['token'],
      );
    const client = verifier(h);
    const valid = await client.verifyIdToken({
      idToken: await mint({ email: 'push@p.iam.gserviceaccount.com' }),
      audience: AUDIENCE,
    });
    expect(valid.getPayload()?.email).toBe('push@p.iam.gserviceaccount.com');
    await expect(
      client.verifyIdToken({ idToken: await mint({ expired: true }), audience: AUDIENCE }),
    ).rejects.toThrow(/Token used too late/);
    await expect(
      client.verifyIdToken({ idToken: await mint({ foreign: true }), audience: AUDIENCE }),
    ).rejects.toThrow(/Invalid token signature/);
    await expect(
      client.verifyIdToken({ idToken: await mint({}), audience: 'https://elsewhere.test' }),
    ).rejects.toThrow(/Wrong recipient/);
  });

  it('follows the label filter, stops on users.stop and refuses a malformed topic', async ({
    gmail: h,
  }) => {
    const email = 'filter@northwindtraders.com';
    const topicName = 'projects/mailroom-local/topics/filtered';
    await subscribe(h, topicName);
    const api = await userWith(h, email);
    await expect(
      api.users.watch({ userId: 'me', requestBody: { topicName: 'gmail-topic' } }),
    ).rejects.toMatchObject({ status: 400 });

    await api.users.watch({ userId: 'me', requestBody: { topicName, labelIds: ['INBOX'] } });
    const counted = () => h.emulator.stats.push.published + h.emulator.stats.push.dropped;
    const before = counted();
    // The store notifies as it records history, so the counts are settled on return.
    h.emulator.store.addMessage(email, buildEml({ from: email, to: ['y@fabrikam.com'] }), ['SENT']);
    expect(counted()).toBe(before);
    h.emulator.store.addMessage(email, buildEml({ from: 'y@fabrikam.com', to: [email] }));
    expect(counted()).toBe(before + 1);

    await api.users.stop({ userId: 'me' });
    h.emulator.store.addMessage(email, buildEml({ from: 'z@fabrikam.com', to: [email] }));
    expect(counted()).toBe(before + 1);
  });

  it('drops notifications beyond one per second per user', async ({ gmail: h }) => {
    const email = 'burst@northwindtraders.com';
    const topicName = 'projects/mailroom-local/topics/burst';
    await subscribe(h, topicName);
    const api = await userWith(h, email);
    await api.users.watch({ userId: 'me', requestBody: { topicName } });
    const { published, dropped } = h.emulator.stats.push;
    // Five changes within the same instant: at most one of them is published.
    for (let i = 0; i < 5; i++) {
      h.emulator.store.addMessage(email, buildEml({ from: `s${i}@fabrikam.com`, to: [email] }));
    }
    const stats = h.emulator.stats.push;
    expect(stats.published - published + (stats.dropped - dropped)).toBe(5);
    expect(stats.dropped - dropped).toBeGreaterThanOrEqual(4);
  });

  it('redelivers after a 500 with the same messageId, as a number when asked, and gives up', async ({
    gmail: h,
  }) => {
    const email = 'retry@northwindtraders.com';
    const topicName = 'projects/mailroom-local/topics/retry';
    const { path } = await subscribe(h, topicName, { historyIdAsNumber: true });
    const failing = `${path}-failing`;
    await control(h, 'POST', '/pubsub/subscriptions', {
      topic: topicName,
      name: 'always-failing',
      pushEndpoint: receiver.url.replace('/push', failing),
    });
    const answer = receiver.answer;
    let first = true;
    receiver.answer = (r, i) => {
      if (r.url === failing) {
        return { status: 503 };
      }
      if (r.url === path && first) {
        first = false;
        return { status: 500 };
      }
      return answer(r, i);
    };
    const start = { ...h.emulator.stats.push };
    const api = await userWith(h, email);
    await api.users.watch({ userId: 'me', requestBody: { topicName } });

    await waitFor(
      () => Promise.resolve(pushesTo(path).some((p) => p.request.answered === 204)),
      'the redelivered push',
    );
    const [failed, redelivered] = pushesTo(path);
    expect(failed?.request.answered).toBe(500);
    expect(redelivered?.request.answered).toBe(204);
    expect(redelivered?.body.message.messageId).toBe(failed?.body.message.messageId);
    expect(redelivered && typeof decoded(redelivered.body)['historyId']).toBe('number');

    // The other subscription answers 503 every time: 1 attempt + 3 retries, then given up.
    await waitFor(
      () => Promise.resolve(h.emulator.stats.push.failed > start.failed),
      'the failing push given up',
    );
    expect(pushesTo(failing)).toHaveLength(4);
    expect(h.emulator.stats.push.retried - start.retried).toBe(1 + 3);
    receiver.answer = answer;
  });

  it('closing the emulator cancels a push waiting for its answer, with no retry after', async () => {
    const emu = buildGmailEmulator();
    const hanging = await startPushReceiver(() => 'hang');
    try {
      const made = emu.pubsub.subscribe({
        topic: 'projects/mailroom-local/topics/hang',
        pushEndpoint: hanging.url,
      });
      expect(made).toHaveProperty('name');
      emu.store.user('hang@northwindtraders.com');
      // What users.watch does: the watch, then its notification.
      emu.watches.set('hang@northwindtraders.com', {
        topicName: 'projects/mailroom-local/topics/hang',
        labelIds: [],
        labelFilterBehavior: null,
        expiration: Date.now() + 60_000,
      });
      emu.store.addMessage(
        'hang@northwindtraders.com',
        buildEml({ from: 'h@fabrikam.com', to: ['hang@northwindtraders.com'] }),
      );
      await waitFor(() => Promise.resolve(hanging.received.length === 1), 'the hanging push');
      expect(emu.pubsub.pending).toBe(1);
      await emu.app.close();
      expect(emu.pubsub.pending).toBe(0);
      expect(hanging.received).toHaveLength(1);
      expect(emu.stats.push).toMatchObject({ published: 1, retried: 0, failed: 0, delivered: 0 });
    } finally {
      await hanging.close();
    }
  });
});
