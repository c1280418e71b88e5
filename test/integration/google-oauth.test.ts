import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Logger } from '../../src/logger.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

function app(
  orm: Orm,
  h: GmailHarness,
  scheduled: string[],
  key = h.config.encryptionKey ?? '',
  { env = {}, log = silentLog }: { env?: Record<string, string>; log?: Logger } = {},
) {
  return buildApp({
    config: parseConfig({ ...h.env, PUBLIC_URL: 'http://mailroom.test', ...env }),
    orm,
    log,
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

  it('keeps OAuth codes, states and login hints out of the request log', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.logged@northwind.com');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const server = app(orm, h, [], undefined, { log: pino({ level: 'info' }, sink) });

    const start = await server.inject({
      url: `/oauth/google/start?workspace=${ws}&email=rep.logged@northwind.com`,
    });
    const consent = await fetch(new URL(start.headers.location ?? ''), { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    const code = callback.searchParams.get('code') ?? '';
    const state = callback.searchParams.get('state') ?? '';
    expect(code).not.toBe('');
    expect([...callback.searchParams.keys()]).toEqual(expect.arrayContaining(['code', 'state']));
    const done = await server.inject({ url: callback.pathname + callback.search });
    expect(done.statusCode).toBe(200);
    // Unknown routes under /oauth/ are logged by the 404 handler: redacted there too.
    await server.inject({ url: `/oauth/yahoo/callback?code=${code}` });
    await server.inject({ url: '/healthz?probe=1' });

    const log = lines.join('\n');
    expect(log).not.toContain(code);
    expect(log).not.toContain(encodeURIComponent(state));
    expect(log).not.toContain(state.slice(0, 20));
    expect(log).not.toContain('rep.logged');
    const urls = lines
      .map((l) => JSON.parse(l) as { req?: { url: string } })
      .flatMap((l) => (l.req ? [l.req.url] : []));
    expect(urls).toEqual([
      `/oauth/google/start?workspace=${ws}&email=[redacted]`,
      `/oauth/google/callback?${[...callback.searchParams.keys()].map((k) => `${k}=[redacted]`).join('&')}`,
      '/oauth/yahoo/callback?code=[redacted]',
      '/healthz?probe=1',
    ]);
    expect(log).toContain('Route GET:/oauth/yahoo/callback?code=[redacted] not found');
  });

  it('answers 503 naming the variables when the Google client is not configured', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    const server = app(orm, h, [], undefined, { env: { GOOGLE_CLIENT_ID: '' } });
    for (const url of [
      `/oauth/google/start?workspace=${ws}`,
      '/oauth/google/callback?code=x&state=y',
    ]) {
      const res = await server.inject({ url });
      expect(res.statusCode).toBe(503);
      expect(res.headers.location).toBeUndefined();
      expect(res.json()).toEqual({
        error: 'OAUTH_NOT_CONFIGURED',
        message: expect.stringMatching(
          /GOOGLE_CLIENT_ID not set.*set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET$/,
        ) as unknown,
      });
    }
  });
});
