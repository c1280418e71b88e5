import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { mailboxSyncJob } from '../../jobs/mailbox-sync.job.ts';
import { scheduleFirstSync } from '../../src/app/schedule-sync.ts';
import { parseConfig } from '../../src/config.ts';
import { MailboxSchema } from '../../src/db/entities/mailbox.entity.ts';
import type { Orm } from '../../src/db/orm.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Logger } from '../../src/logger.ts';
import { createConnectLink } from '../../src/mailboxes/connect-link.ts';
import { createGoogleOAuthConnector } from '../../src/providers/google/oauth/google-oauth-connector.ts';
import { createRedis, createSyncQueue } from '../../src/queue/queues.ts';
import { ConnectLinkSigner } from '../../src/security/connect-link.ts';
import { pkceChallenge } from '../../src/security/oauth-flow-binding.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { consent, TestBrowser } from '../helpers/oauth-browser.ts';
import { json, runCli } from '../helpers/run-cli.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

const PUBLIC_URL = 'http://mailroom.test';

function app(
  orm: Orm,
  h: GmailHarness,
  scheduled: string[],
  key = h.config.encryptionKey ?? '',
  { env = {}, log = silentLog }: { env?: Record<string, string>; log?: Logger } = {},
) {
  return buildApp({
    config: parseConfig({ ...h.env, PUBLIC_URL, ...env }),
    orm,
    log,
    encryptionKey: key,
    scheduleSync: (id) => {
      scheduled.push(id);
      return Promise.resolve();
    },
  });
}

/** A connect link as `mailbox:connect-url` makes it, for this harness's key and PUBLIC_URL. */
async function link(
  orm: Orm,
  h: GmailHarness,
  workspaceId: string,
  { email = null, provider = 'google', now }: LinkOptions = {},
) {
  const config = parseConfig({ ...h.env, PUBLIC_URL });
  return (
    await createConnectLink(orm.em.fork(), config, { workspaceId, provider, loginHint: email }, now)
  ).url;
}
interface LinkOptions {
  email?: string | null;
  provider?: 'google' | 'microsoft';
  now?: number;
}

const mailboxesOf = async (orm: Orm, workspaceId: string) =>
  orm.em.fork().find(MailboxSchema, { workspaceId });

describe('Google OAuth connect flow', () => {
  it('connect link → start (cookie, PKCE) → consent → callback stores the mailbox sealed and schedules its first sync', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.oauth@northwind.com');
    const scheduled: string[] = [];
    const server = app(orm, h, scheduled);
    const browser = new TestBrowser();

    const consentUrl = await browser.start(
      server,
      await link(orm, h, ws, { email: 'rep.oauth@northwind.com' }),
    );
    expect(consentUrl.origin + consentUrl.pathname).toBe(`${h.url}/o/oauth2/v2/auth`);
    expect(consentUrl.searchParams.get('access_type')).toBe('offline');
    expect(consentUrl.searchParams.get('prompt')).toBe('consent');
    expect(consentUrl.searchParams.get('login_hint')).toBe('rep.oauth@northwind.com');
    expect(consentUrl.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/oauth/google/callback`);
    expect(consentUrl.searchParams.get('scope')?.split(' ')).toEqual(
      expect.arrayContaining([
        'https://www.googleapis.com/auth/gmail.readonly',
        'https://www.googleapis.com/auth/gmail.send',
        'https://www.googleapis.com/auth/calendar.readonly',
        'openid',
        'email',
      ]),
    );
    // PKCE: the challenge is on the consent URL, the verifier nowhere the browser can see.
    expect(consentUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(consentUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(consentUrl.searchParams.has('code_verifier')).toBe(false);
    // The flow cookie: HttpOnly, Lax, only for the callback, not Secure on plain http.
    expect(browser.setCookies).toHaveLength(1);
    const cookie = browser.setCookies[0] ?? '';
    expect(cookie).toMatch(
      /^mailroom_oauth_google=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/oauth\/google\/callback; HttpOnly; SameSite=Lax$/,
    );
    const nonce = /=([^;]+)/.exec(cookie)?.[1] ?? '';
    expect(consentUrl.toString()).not.toContain(nonce);

    const callback = await consent(consentUrl);
    const done = await browser.get(server, callback);
    expect(done.statusCode).toBe(200);
    const body = done.json<{ mailboxId: string; email: string }>();
    expect(body.email).toBe('rep.oauth@northwind.com');
    expect(scheduled).toEqual([body.mailboxId]);
    // The callback spends the attempt: the cookie is cleared.
    expect(browser.setCookies[1]).toMatch(
      /^mailroom_oauth_google=; Max-Age=0; Path=\/oauth\/google\/callback;/,
    );
    expect(browser.cookieHeader('/oauth/google/callback')).toBeUndefined();

    const mailbox = await orm.em.fork().findOne(MailboxSchema, { id: body.mailboxId });
    expect(mailbox?.status).toBe('active');
    const token = new SecretBox(h.config.encryptionKey ?? '').open(mailbox?.credentials ?? '');
    expect(token).toMatch(/^1\/\/emu-/);
    expect(mailbox?.credentials).not.toContain(token);
  });

  it('refuses to start without a connect link (401) or with a forged, expired or other-provider one (403)', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    const server = app(orm, h, []);
    const good = new URL(await link(orm, h, ws));
    const token = good.searchParams.get('link') ?? '';
    const [body, mac] = token.split('.');
    const otherWs = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body ?? '', 'base64url').toString()),
        // Another workspace's id: the last digit changed (never to itself).
        workspaceId: ws.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      }),
    ).toString('base64url');
    const cases: [string, string, number, string, RegExp][] = [
      ['no link', `/oauth/google/start`, 401, 'UNAUTHENTICATED', /mailbox:connect-url/],
      [
        'the old workspace parameter',
        `/oauth/google/start?workspace=${ws}`,
        401,
        'UNAUTHENTICATED',
        /connect link/,
      ],
      [
        'a tampered link',
        `/oauth/google/start?link=${otherWs}.${mac ?? ''}`,
        403,
        'CONNECT_LINK_INVALID',
        /not valid/,
      ],
      [
        'a truncated link',
        `/oauth/google/start?link=${token.slice(0, -2)}`,
        403,
        'CONNECT_LINK_INVALID',
        /not valid/,
      ],
      [
        'a link signed with another key',
        `/oauth/google/start?link=${new ConnectLinkSigner(randomBytes(32).toString('base64')).sign({ workspaceId: ws, provider: 'google', loginHint: null }, 60_000).token}`,
        403,
        'CONNECT_LINK_INVALID',
        /not valid/,
      ],
      [
        'an expired link',
        new URL(await link(orm, h, ws, { now: Date.now() - 16 * 60_000 })).pathname +
          new URL(await link(orm, h, ws, { now: Date.now() - 16 * 60_000 })).search,
        403,
        'CONNECT_LINK_INVALID',
        /expired/,
      ],
      [
        'a Microsoft link on the Google start',
        `/oauth/google/start?link=${new URL(await link(orm, h, ws, { provider: 'microsoft' })).searchParams.get('link') ?? ''}`,
        403,
        'CONNECT_LINK_INVALID',
        /for microsoft, not google/,
      ],
    ];
    for (const [, url, status, error, message] of cases) {
      const res = await server.inject({ url });
      expect({ url, status: res.statusCode }).toEqual({ url, status });
      expect(res.json()).toEqual({
        error: { code: error, message: expect.stringMatching(message) as unknown },
      });
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // The untampered link still starts.
    expect((await server.inject({ url: good.pathname + good.search })).statusCode).toBe(302);
  });

  it('refuses a callback without the cookie or with another browser’s, stores nothing, and lets the right browser finish', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.csrf@northwind.com');
    const scheduled: string[] = [];
    const server = app(orm, h, scheduled);
    const rep = new TestBrowser();
    const callback = await consent(
      await rep.start(server, await link(orm, h, ws, { email: 'rep.csrf@northwind.com' })),
    );

    // The same callback (state and code) opened in a browser with no cookie, or with the cookie
    // of its own attempt (an attacker forcing their consent onto a victim, or the reverse).
    const stranger = new TestBrowser();
    const other = new TestBrowser();
    await other.start(server, await link(orm, h, ws));
    expect(other.cookieHeader('/oauth/google/callback')).toBeDefined();
    for (const browser of [stranger, other]) {
      const res = await browser.get(server, callback);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: { code: 'OAUTH_BROWSER_MISMATCH' } });
    }
    // The other browser's own attempt is left alone (its cookie is not cleared).
    expect(other.cookieHeader('/oauth/google/callback')).toBeDefined();
    expect(await mailboxesOf(orm, ws)).toEqual([]);
    expect(scheduled).toEqual([]);

    // The code was never exchanged, so the rep's own browser still completes.
    const done = await rep.get(server, callback);
    expect(done.statusCode).toBe(200);
    expect(scheduled).toHaveLength(1);

    // Replayed: the cookie is gone, so refused before any exchange...
    const replay = await rep.get(server, callback);
    expect(replay.statusCode).toBe(403);
    expect(replay.json()).toMatchObject({ error: { code: 'OAUTH_BROWSER_MISMATCH' } });
    // ...and even with the old cookie kept, Google's code is single-use.
    const nonce = /=([^;]+)/.exec(rep.setCookies[0] ?? '')?.[1] ?? '';
    const kept = await server.inject({
      url: callback.pathname + callback.search,
      headers: { cookie: `mailroom_oauth_google=${nonce}` },
    });
    expect(kept.statusCode).toBe(502);
    expect(kept.json()).toMatchObject({ error: { code: 'OAUTH_EXCHANGE_FAILED' } });
    expect(await mailboxesOf(orm, ws)).toHaveLength(1);
    expect(scheduled).toHaveLength(1);
  });

  it('the emulator, like Google, redeems a PKCE code only with its verifier', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.pkce@northwind.com');
    const server = app(orm, h, []);
    const connector = createGoogleOAuthConnector(h.config);
    const redirectUri = `${PUBLIC_URL}/oauth/google/callback`;
    const codeOf = async () =>
      (
        await consent(await new TestBrowser().start(server, await link(orm, h, ws)))
      ).searchParams.get('code') ?? '';

    // Through the real client: a wrong verifier is refused.
    await expect(
      connector.exchangeCode({ code: await codeOf(), redirectUri, codeVerifier: 'x'.repeat(43) }),
    ).rejects.toMatchObject({ code: 'OAUTH_EXCHANGE_FAILED' });
    // On the wire: Google's answers for a wrong and a missing verifier.
    const token = (fields: Record<string, string>) =>
      fetch(`${h.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'test-client',
          client_secret: 'test-secret',
          redirect_uri: redirectUri,
          ...fields,
        }),
      });
    for (const [fields, description] of [
      [{ code_verifier: 'wrong-verifier-wrong-verifier-wrong-verifier' }, 'Invalid code verifier.'],
      [{}, 'Missing code verifier.'],
    ] as const) {
      const res = await token({ code: await codeOf(), ...fields });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: description });
    }
    // A code issued without a challenge takes no verifier.
    const plainUrl = new URL(`${h.url}/o/oauth2/v2/auth`);
    plainUrl.search = new URLSearchParams({
      redirect_uri: redirectUri,
      response_type: 'code',
    }).toString();
    const plainCode = (await consent(plainUrl)).searchParams.get('code') ?? '';
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect((await token({ code: plainCode, code_verifier: verifier })).status).toBe(400);
    // And the right verifier passes (S256 of it is the challenge).
    const s256 = new URL(plainUrl);
    s256.searchParams.set('code_challenge', pkceChallenge(verifier));
    s256.searchParams.set('code_challenge_method', 'S256');
    const ok = await token({
      code: (await consent(s256)).searchParams.get('code') ?? '',
      code_verifier: verifier,
    });
    expect(ok.status).toBe(200);
  });

  it('rejects a forged state, a state from another deployment key, and an unknown workspace', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    const server = app(orm, h, []);
    const browser = new TestBrowser();
    const state =
      (await browser.start(server, await link(orm, h, ws))).searchParams.get('state') ?? '';
    for (const forged of [`${state.slice(0, -3)}abc`, 'eyJ3b3Jrc3BhY2VJZCI6IngifQ.bad']) {
      const res = await browser.get(
        server,
        `/oauth/google/callback?code=x&state=${encodeURIComponent(forged)}`,
      );
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'OAUTH_BAD_STATE' } });
    }

    const otherKey = randomBytes(32).toString('base64');
    const other = app(orm, h, [], otherKey);
    const otherLink = new ConnectLinkSigner(otherKey).sign(
      { workspaceId: ws, provider: 'google', loginHint: null },
      60_000,
    ).token;
    const otherState =
      (await browser.start(other, `/oauth/google/start?link=${otherLink}`)).searchParams.get(
        'state',
      ) ?? '';
    const res = await browser.get(
      server,
      `/oauth/google/callback?code=x&state=${encodeURIComponent(otherState)}`,
    );
    expect(res.json()).toMatchObject({ error: { code: 'OAUTH_BAD_STATE' } });

    // A valid link for a workspace that is gone.
    const ghost = new ConnectLinkSigner(h.config.encryptionKey ?? '').sign(
      { workspaceId: '00000000-0000-4000-8000-000000000000', provider: 'google', loginHint: null },
      60_000,
    ).token;
    const missing = await server.inject({ url: `/oauth/google/start?link=${ghost}` });
    expect(missing.statusCode).toBe(404);
    const health = await server.inject({ url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });
  });

  it('sets the cookie Secure when PUBLIC_URL is https', async ({ orm, gmail: h }) => {
    const ws = await createWorkspace(orm);
    const server = app(orm, h, [], undefined, { env: { PUBLIC_URL: 'https://mailroom.test' } });
    const browser = new TestBrowser();
    await browser.start(server, await link(orm, h, ws));
    expect(browser.setCookies[0]).toMatch(
      /; Path=\/oauth\/google\/callback; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it('keeps OAuth codes, states, links, nonces and login hints out of the request log', async ({
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
    const browser = new TestBrowser();

    const connectLink = await link(orm, h, ws, { email: 'rep.logged@northwind.com' });
    const linkToken = new URL(connectLink).searchParams.get('link') ?? '';
    const callback = await consent(await browser.start(server, connectLink));
    const nonce = /=([^;]+)/.exec(browser.setCookies[0] ?? '')?.[1] ?? '';
    const code = callback.searchParams.get('code') ?? '';
    const state = callback.searchParams.get('state') ?? '';
    expect(code).not.toBe('');
    expect([...callback.searchParams.keys()]).toEqual(expect.arrayContaining(['code', 'state']));
    const done = await browser.get(server, callback);
    expect(done.statusCode).toBe(200);
    // Unknown routes under /oauth/ are logged by the 404 handler: redacted there too.
    await server.inject({ url: `/oauth/yahoo/callback?code=${code}` });
    await server.inject({ url: '/healthz?probe=1' });

    const log = lines.join('\n');
    for (const secret of [
      code,
      encodeURIComponent(state),
      state.slice(0, 20),
      linkToken.slice(0, 20),
      nonce,
      'rep.logged',
    ]) {
      expect(secret).not.toBe('');
      expect(log).not.toContain(secret);
    }
    const urls = lines
      .map((l) => JSON.parse(l) as { req?: { url: string } })
      .flatMap((l) => (l.req ? [l.req.url] : []));
    expect(urls).toEqual([
      '/oauth/google/start?link=[redacted]',
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
    const start = new URL(await link(orm, h, ws));
    for (const url of [start.pathname + start.search, '/oauth/google/callback?code=x&state=y']) {
      const res = await server.inject({ url });
      expect(res.statusCode).toBe(503);
      expect(res.headers.location).toBeUndefined();
      expect(res.json()).toEqual({
        error: {
          code: 'OAUTH_NOT_CONFIGURED',
          message: expect.stringMatching(
            /GOOGLE_CLIENT_ID not set.*set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET$/,
          ) as unknown,
        },
      });
    }
  });
});

describe('mailbox:connect-url', () => {
  it('prints a signed, expiring link that connects a mailbox and queues its sync', async ({
    orm,
    gmail: h,
  }) => {
    const ws = await createWorkspace(orm);
    h.emulator.store.user('rep.cli@northwind.com');
    const env = { ...h.env, PUBLIC_URL, MAILROOM_CONNECT_LINK_TTL_SECONDS: '120' };
    const before = Date.now();
    const printed = json<{ url: string; expiresAt: string }>(
      await runCli(
        [
          'mailbox:connect-url',
          '--workspace',
          ws,
          '--provider',
          'google',
          '--email',
          'Rep.CLI@northwind.com',
        ],
        env,
      ),
    );
    const after = Date.now();
    expect(Object.keys(printed).sort()).toEqual(['expiresAt', 'url']);
    expect(printed.url).toMatch(
      /^http:\/\/mailroom\.test\/oauth\/google\/start\?link=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/,
    );
    const expiresAt = Date.parse(printed.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + 120_000);

    // The app queues the first sync on the real queue, as `npm start` does.
    const config = parseConfig(env);
    const server = buildApp({
      config,
      orm,
      log: silentLog,
      encryptionKey: config.encryptionKey ?? '',
      scheduleSync: (id) => scheduleFirstSync(config, id),
    });
    const browser = new TestBrowser();
    const consentUrl = await browser.start(server, printed.url);
    expect(consentUrl.searchParams.get('login_hint')).toBe('rep.cli@northwind.com');
    const done = await browser.get(server, await consent(consentUrl));
    expect(done.statusCode).toBe(200);
    const { mailboxId } = done.json<{ mailboxId: string }>();
    const connection = createRedis(config, 'producer');
    const queue = createSyncQueue(config, connection);
    try {
      const jobId = await queue.getDeduplicationJobId(
        mailboxSyncJob.deduplicationId({ mailboxId }),
      );
      const job = jobId ? await queue.getJob(jobId) : undefined;
      expect(job?.data).toEqual({ mailboxId });
    } finally {
      await queue.close();
      connection.disconnect();
    }

    for (const [args, message] of [
      [
        ['--workspace', '00000000-0000-4000-8000-000000000000', '--provider', 'google'],
        /workspace .* not found/,
      ],
      [['--workspace', ws, '--provider', 'yahoo'], /--provider: must be google or microsoft/],
      [
        ['--workspace', ws, '--provider', 'google', '--email', 'nope'],
        /--email: must be an email address/,
      ],
    ] as const) {
      const res = await runCli(['mailbox:connect-url', ...args], env);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(message);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
