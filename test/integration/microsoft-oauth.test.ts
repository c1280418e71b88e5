import { expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import { buildApp } from '../../src/http/app.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

it('Microsoft connect: start → authorize → callback stores the mailbox and schedules a sync', async ({
  orm,
  graph: g,
}) => {
  const email = 'adele@contoso.com';
  g.emulator.store.mailbox(email);
  const ws = await createWorkspace(orm);
  const scheduled: string[] = [];
  const app = buildApp({
    config: parseConfig({
      ...g.env,
      PUBLIC_URL: 'http://mailroom.test',
      GOOGLE_CLIENT_ID: 'test-client',
      GOOGLE_CLIENT_SECRET: 'test-secret',
    }),
    orm,
    log: silentLog,
    encryptionKey: g.config.encryptionKey ?? '',
    scheduleSync: (id) => {
      scheduled.push(id);
      return Promise.resolve();
    },
  });
  const start = await app.inject({ url: `/oauth/microsoft/start?workspace=${ws}&email=${email}` });
  expect(start.statusCode).toBe(302);
  const authorize = new URL(start.headers.location ?? '');
  expect(authorize.pathname).toBe('/common/oauth2/v2.0/authorize');
  expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
    expect.arrayContaining([
      'offline_access',
      'Mail.Read',
      'Calendars.Read',
      'User.Read',
      'openid',
      'email',
    ]),
  );
  const consent = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  const done = await app.inject({ url: callback.pathname + callback.search });
  expect(done.statusCode).toBe(200);
  const body = done.json<{ mailboxId: string; email: string; provider: string }>();
  expect(body).toMatchObject({ email, provider: 'microsoft' });
  expect(scheduled).toEqual([body.mailboxId]);
  const mailbox = await orm.em.fork().findOne(MailboxSchema, { id: body.mailboxId });
  expect(new SecretBox(g.config.encryptionKey ?? '').open(mailbox?.credentials ?? '')).toMatch(
    /^1\.AVEA-emu-/,
  );

  // A Google state cannot be replayed on the Microsoft callback.
  const googleStart = await app.inject({ url: `/oauth/google/start?workspace=${ws}` });
  expect(googleStart.statusCode).toBe(302);
  const googleState = new URL(googleStart.headers.location ?? '').searchParams.get('state') ?? '';
  const replay = await app.inject({
    url: `/oauth/microsoft/callback?code=x&state=${encodeURIComponent(googleState)}`,
  });
  expect(replay.statusCode).toBe(400);
});

it('answers 503 naming the variables when the Microsoft client is not configured, and leaves a configured provider alone', async ({
  orm,
  graph: g,
}) => {
  const ws = await createWorkspace(orm);
  const app = buildApp({
    // Microsoft without its secret (a web app is a confidential client); Google configured.
    config: parseConfig({
      ...g.env,
      MICROSOFT_CLIENT_SECRET: '',
      GOOGLE_CLIENT_ID: 'test-client',
      GOOGLE_CLIENT_SECRET: 'test-secret',
    }),
    orm,
    log: silentLog,
    encryptionKey: g.config.encryptionKey ?? '',
    scheduleSync: () => Promise.resolve(),
  });
  for (const url of [
    `/oauth/microsoft/start?workspace=${ws}`,
    '/oauth/microsoft/callback?code=x&state=y',
  ]) {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: 'OAUTH_NOT_CONFIGURED',
      message: expect.stringMatching(
        /MICROSOFT_CLIENT_SECRET not set.*set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET$/,
      ) as unknown,
    });
  }
  const google = await app.inject({ url: `/oauth/google/start?workspace=${ws}` });
  expect(google.statusCode).toBe(302);
});
