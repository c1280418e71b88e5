import { expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import { createConnectLink } from '../../src/mailboxes/connect-link.ts';
import { createMicrosoftOAuthConnector } from '../../src/providers/microsoft/oauth/microsoft-oauth-connector.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import type { GraphHarness } from '../helpers/graph-harness.ts';
import { consent, TestBrowser } from '../helpers/oauth-browser.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

const PUBLIC_URL = 'http://mailroom.test';

function harnessConfig(g: GraphHarness, env: Record<string, string> = {}) {
  return parseConfig({
    ...g.env,
    PUBLIC_URL,
    GOOGLE_CLIENT_ID: 'test-client',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    ...env,
  });
}

function app(orm: Orm, g: GraphHarness, scheduled: string[], env: Record<string, string> = {}) {
  return buildApp({
    config: harnessConfig(g, env),
    orm,
    log: silentLog,
    encryptionKey: g.config.encryptionKey ?? '',
    scheduleSync: (id) => {
      scheduled.push(id);
      return Promise.resolve();
    },
  });
}

async function link(
  orm: Orm,
  g: GraphHarness,
  workspaceId: string,
  provider: 'google' | 'microsoft' = 'microsoft',
  loginHint: string | null = null,
) {
  return (
    await createConnectLink(orm.em.fork(), harnessConfig(g), { workspaceId, provider, loginHint })
  ).url;
}

it('Microsoft connect: link → start → authorize (PKCE) → callback stores the mailbox and schedules a sync', async ({
  orm,
  graph: g,
}) => {
  const email = 'adele@contoso.com';
  g.emulator.store.mailbox(email);
  const ws = await createWorkspace(orm);
  const scheduled: string[] = [];
  const server = app(orm, g, scheduled);
  const browser = new TestBrowser();
  const authorize = await browser.start(server, await link(orm, g, ws, 'microsoft', email));
  expect(authorize.pathname).toBe('/common/oauth2/v2.0/authorize');
  expect(authorize.searchParams.get('scope')?.split(' ')).toEqual(
    expect.arrayContaining([
      'offline_access',
      'Mail.Read',
      'Mail.Send',
      'Mail.ReadWrite',
      'Calendars.Read',
      'User.Read',
      'openid',
      'email',
    ]),
  );
  expect(authorize.searchParams.get('login_hint')).toBe(email);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(browser.setCookies[0]).toMatch(
    /^mailroom_oauth_microsoft=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/oauth\/microsoft\/callback; HttpOnly; SameSite=Lax$/,
  );
  const callback = await consent(authorize);

  // Another browser cannot complete it, and nothing is stored.
  const stranger = await new TestBrowser().get(server, callback);
  expect(stranger.statusCode).toBe(403);
  expect(stranger.json()).toMatchObject({ error: { code: 'OAUTH_BROWSER_MISMATCH' } });
  expect(await orm.em.fork().find(MailboxSchema, { workspaceId: ws })).toEqual([]);

  const done = await browser.get(server, callback);
  expect(done.statusCode).toBe(200);
  const body = done.json<{ mailboxId: string; email: string; provider: string }>();
  expect(body).toMatchObject({ email, provider: 'microsoft' });
  expect(scheduled).toEqual([body.mailboxId]);
  const mailbox = await orm.em.fork().findOne(MailboxSchema, { id: body.mailboxId });
  expect(new SecretBox(g.config.encryptionKey ?? '').open(mailbox?.credentials ?? '')).toMatch(
    /^1\.AVEA-emu-/,
  );

  // A Google state cannot be replayed on the Microsoft callback.
  const googleState =
    (await browser.start(server, await link(orm, g, ws, 'google'))).searchParams.get('state') ?? '';
  const replay = await browser.get(
    server,
    `/oauth/microsoft/callback?code=x&state=${encodeURIComponent(googleState)}`,
  );
  expect(replay.statusCode).toBe(400);
});

it('a refused consent spends the attempt: 400 OAUTH_DENIED, the cookie cleared, nothing stored', async ({
  orm,
  graph: g,
}) => {
  const ws = await createWorkspace(orm);
  const scheduled: string[] = [];
  const server = app(orm, g, scheduled);
  const browser = new TestBrowser();
  const state =
    (await browser.start(server, await link(orm, g, ws))).searchParams.get('state') ?? '';
  const res = await browser.get(
    server,
    `/oauth/microsoft/callback?error=access_denied&state=${encodeURIComponent(state)}`,
  );
  expect(res.statusCode).toBe(400);
  expect(res.json()).toMatchObject({ error: { code: 'OAUTH_DENIED' } });
  expect(browser.setCookies.at(-1)).toMatch(/^mailroom_oauth_microsoft=; Max-Age=0;/);
  expect(scheduled).toEqual([]);
});

it('the emulator, like Entra, redeems a PKCE code only with its verifier', async ({
  orm,
  graph: g,
}) => {
  const email = 'pkce@contoso.com';
  g.emulator.store.mailbox(email);
  const ws = await createWorkspace(orm);
  const server = app(orm, g, []);
  const redirectUri = `${PUBLIC_URL}/oauth/microsoft/callback`;
  const codeOf = async () =>
    (await consent(await new TestBrowser().start(server, await link(orm, g, ws)))).searchParams.get(
      'code',
    ) ?? '';
  const connector = createMicrosoftOAuthConnector(harnessConfig(g));
  await expect(
    connector.exchangeCode({ code: await codeOf(), redirectUri, codeVerifier: 'y'.repeat(43) }),
  ).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED' });

  const res = await fetch(`${g.emulator.baseUrl()}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: 'test-client',
      client_secret: 'test-secret',
      redirect_uri: redirectUri,
      code: await codeOf(),
    }),
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
});

it('answers 503 naming the variables when the Microsoft client is not configured, and leaves a configured provider alone', async ({
  orm,
  graph: g,
}) => {
  const ws = await createWorkspace(orm);
  // Microsoft without its secret (a web app is a confidential client); Google configured.
  const server = app(orm, g, [], { MICROSOFT_CLIENT_SECRET: '' });
  const start = new URL(await link(orm, g, ws));
  for (const url of [start.pathname + start.search, '/oauth/microsoft/callback?code=x&state=y']) {
    const res = await server.inject({ url });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({
      error: {
        code: 'OAUTH_NOT_CONFIGURED',
        message: expect.stringMatching(
          /MICROSOFT_CLIENT_SECRET not set.*set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET$/,
        ) as unknown,
      },
    });
  }
  const google = new URL(await link(orm, g, ws, 'google'));
  expect((await server.inject({ url: google.pathname + google.search })).statusCode).toBe(302);
});
