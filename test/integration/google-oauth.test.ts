import { randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

function app(orm: Orm, h: GmailHarness, scheduled: string[], key = h.config.encryptionKey ?? '') {
  return buildApp({
    config: parseConfig({ ...h.env, PUBLIC_URL: 'http://mailroom.test' }),
    orm,
    log: silentLog,
    encryptionKey: key,
    scheduleSync: (id) => {
      scheduled.push(id);
      return Promise.resolve();
    },
  });
}

describe('Google OAuth connect flow', () => {
  it('start → consent → callback stores the mailbox sealed and schedules its first sync', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.oauth@northwind.com');
    const scheduled: string[] = [];
    const server = app(orm, h, scheduled);

    const start = await server.inject({
      url: `/oauth/google/start?workspace=${ws}&email=rep.oauth@northwind.com`,
    });
    expect(start.statusCode).toBe(302);
    const consentUrl = new URL(start.headers.location ?? '');
    expect(consentUrl.origin + consentUrl.pathname).toBe(`${h.url}/o/oauth2/v2/auth`);
    expect(consentUrl.searchParams.get('access_type')).toBe('offline');
    expect(consentUrl.searchParams.get('prompt')).toBe('consent');
    expect(consentUrl.searchParams.get('redirect_uri')).toBe(
      'http://mailroom.test/oauth/google/callback',
    );
    expect(consentUrl.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining([
        'https://www.googleapis.com/auth/gmail.readonly',
        'https://www.googleapis.com/auth/calendar.readonly',
        'openid',
        'email',
      ]),
    );

    // The emulator's consent page approves and redirects back with a code.
    const consent = await fetch(consentUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location') ?? '');
    const done = await server.inject({ url: callback.pathname + callback.search });
    expect(done.statusCode).toBe(200);
    const body = done.json<{ mailboxId: string; email: string }>();
    expect(body.email).toBe('rep.oauth@northwind.com');
    expect(scheduled).toEqual([body.mailboxId]);

    const mailbox = await orm.em.fork().findOne(MailboxSchema, { id: body.mailboxId });
    expect(mailbox?.status).toBe('active');
    const token = new SecretBox(h.config.encryptionKey ?? '').open(mailbox?.credentials ?? '');
    expect(token).toMatch(/^1\/\/emu-/);
    expect(mailbox?.credentials).not.toContain(token);
  });

  it.for([
    ['a forged state', (s: string) => `${s.slice(0, -3)}abc`],
    ['a state signed with another key', () => 'eyJ3b3Jrc3BhY2VJZCI6IngifQ.bad'],
  ] as const)('rejects %s', async ([, tamper], { orm, gmail: h }) => {
    const ws = await createWorkspace(orm);
    const server = app(orm, h, []);
    const start = await server.inject({ url: `/oauth/google/start?workspace=${ws}` });
    const state = new URL(start.headers.location ?? '').searchParams.get('state') ?? '';
    const res = await server.inject({
      url: `/oauth/google/callback?code=x&state=${encodeURIComponent(tamper(state))}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'OAUTH_BAD_STATE' });
  });

  it('rejects a state from another deployment key and unknown workspaces', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    const other = app(orm, h, [], randomBytes(32).toString('base64'));
    const start = await other.inject({ url: `/oauth/google/start?workspace=${ws}` });
    const state = new URL(start.headers.location ?? '').searchParams.get('state') ?? '';
    const res = await app(orm, h, []).inject({
      url: `/oauth/google/callback?code=x&state=${encodeURIComponent(state)}`,
    });
    expect(res.json()).toMatchObject({ error: 'OAUTH_BAD_STATE' });
    const missing = await app(orm, h, []).inject({
      url: '/oauth/google/start?workspace=00000000-0000-4000-8000-000000000000',
    });
    expect(missing.statusCode).toBe(404);
    const health = await app(orm, h, []).inject({ url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });
  });
});
