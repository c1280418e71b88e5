import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect } from 'vitest';
import { join } from 'node:path';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { it } from '../helpers/fixtures.ts';
import { openBrowser, SCREENSHOTS } from '../helpers/web-harness.ts';

/**
 * The queue dashboard at `/admin/queues` on the app `npm start` serves, over inject(), with the
 * API's real queues in Redis: absent without MAILROOM_ADMIN_KEY, behind the key (Bearer or the
 * password of HTTP Basic auth) with it, and its JSON API showing a queued job.
 */
const ADMIN_KEY = randomBytes(32).toString('base64url');
const apis: ApiHarness[] = [];
afterAll(async () => {
  for (const api of apis) {
    await api.close();
  }
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

interface BoardQueues {
  queues: {
    name: string;
    counts: Record<string, number>;
    jobs: { name: string; data: unknown }[];
  }[];
}

describe('/admin/queues', () => {
  it('is not there at all without MAILROOM_ADMIN_KEY', async ({ orm }) => {
    const api = await startApi(orm);
    apis.push(api);
    for (const url of ['/admin/queues', '/admin/queues/', '/admin/queues/api/queues']) {
      const res = await api.app.inject({ method: 'GET', url, headers: bearer(ADMIN_KEY) });
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('asks for the key, with a Basic challenge a browser answers, and refuses a wrong one', async ({
    orm,
  }) => {
    const api = await startApi(orm, { MAILROOM_ADMIN_KEY: ADMIN_KEY });
    apis.push(api);
    const wrong = `${ADMIN_KEY.slice(0, -1)}${ADMIN_KEY.endsWith('A') ? 'B' : 'A'}`;
    for (const headers of [
      {},
      bearer(wrong),
      bearer(ADMIN_KEY.slice(0, 16)),
      basic('admin', wrong),
      basic(ADMIN_KEY, ''),
      { authorization: ADMIN_KEY },
      { authorization: `Token ${ADMIN_KEY}` },
    ]) {
      for (const url of [
        '/admin/queues',
        '/admin/queues/api/queues',
        '/admin/queues/static/favicon-32x32.png',
      ]) {
        const res = await api.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe(
          'Basic realm="mailroom-admin", charset="UTF-8"',
        );
        expect(res.body).not.toContain(ADMIN_KEY);
      }
    }
  });

  it('serves the dashboard with the key, its own scripts allowed by its CSP', async ({ orm }) => {
    const api = await startApi(orm, { MAILROOM_ADMIN_KEY: ADMIN_KEY });
    apis.push(api);
    for (const headers of [bearer(ADMIN_KEY), basic('anyone', ADMIN_KEY), basic('', ADMIN_KEY)]) {
      const res = await api.app.inject({ method: 'GET', url: '/admin/queues', headers });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<base href="/admin/queues/"');
      expect(res.body).toContain('<title>Mailroom queues</title>');
    }
    const page = await api.app.inject({
      method: 'GET',
      url: '/admin/queues/',
      headers: bearer(ADMIN_KEY),
    });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Every script the page loads is served from here, under the same key.
    const scripts = [...page.body.matchAll(/<script defer src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const res = await api.app.inject({
        method: 'GET',
        url: `/admin/queues/${src ?? ''}`,
        headers: bearer(ADMIN_KEY),
      });
      expect(res.statusCode, src).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
    }
    // The web views keep their own, stricter policy.
    const web = await api.app.inject({ method: 'GET', url: '/app/' });
    expect(String(web.headers['content-security-policy'])).toContain("base-uri 'none'");
  });

  it("lists the sync, events and webhooks queues in its JSON API, a queued job's data included", async ({
    orm,
  }) => {
    const api = await startApi(orm, { MAILROOM_ADMIN_KEY: ADMIN_KEY });
    apis.push(api);
    const queue = api.services.syncQueue();
    try {
      // The API's own queue, under its private prefix: no worker takes this job.
      await queue.add('probe', { mailboxId: 'visible-on-the-board' });
      const res = await api.app.inject({
        method: 'GET',
        url: '/admin/queues/api/queues?activeQueue=sync&status=waiting&page=1&jobsPerPage=10',
        headers: basic('ops', ADMIN_KEY),
      });
      expect(res.statusCode).toBe(200);
      const { queues } = res.json<BoardQueues>();
      expect(queues.map((q) => q.name).sort()).toEqual(['events', 'sync', 'webhooks']);
      const sync = queues.find((q) => q.name === 'sync');
      expect(sync?.counts['waiting']).toBe(1);
      expect(sync?.jobs).toMatchObject([
        { name: 'probe', data: { mailboxId: 'visible-on-the-board' } },
      ]);
    } finally {
      await queue.obliterate({ force: true });
    }
  });

  it('opens in a browser that answers the Basic challenge, its CSP blocking none of its own scripts', async ({
    orm,
  }) => {
    const api = await startApi(orm, { MAILROOM_ADMIN_KEY: ADMIN_KEY });
    apis.push(api);
    const base = await api.app.listen({ host: '127.0.0.1', port: 0 });
    const queue = api.services.syncQueue();
    const browser = await openBrowser();
    try {
      await queue.add('probe', { mailboxId: 'seen-in-the-browser' });
      await browser.context.setHTTPCredentials({ username: 'ops', password: ADMIN_KEY });
      const res = await browser.page.goto(`${base}/admin/queues`);
      expect(res?.status()).toBe(200);
      // The React app rendered the queue list from its JSON API (same origin, same credentials).
      for (const name of ['sync', 'events', 'webhooks']) {
        await browser.page.getByRole('link', { name, exact: true }).first().waitFor();
      }
      await browser.page.screenshot({ path: join(SCREENSHOTS, 'admin-queues.png') });
      // The only refusal is bull-board's web font stylesheet (nothing is loaded from elsewhere).
      const refused = browser.errors.filter((e) => !e.includes('fonts.googleapis.com'));
      expect(refused).toEqual([]);
      expect(
        browser.requests.every(
          (url) => url.startsWith(base) || url.includes('fonts.googleapis.com'),
        ),
      ).toBe(true);
    } finally {
      await browser.close();
      await queue.obliterate({ force: true });
    }
  });

  it('refuses a change sent from another site, even with the key', async ({ orm }) => {
    const api = await startApi(orm, { MAILROOM_ADMIN_KEY: ADMIN_KEY });
    apis.push(api);
    const queue = api.services.syncQueue();
    try {
      await queue.waitUntilReady();
      const pause = (origin: string | undefined) =>
        api.app.inject({
          method: 'PUT',
          url: '/admin/queues/api/queues/sync/pause',
          headers: { ...basic('ops', ADMIN_KEY), ...(origin ? { origin } : {}) },
        });
      const forged = await pause('https://evil.example');
      expect(forged.statusCode).toBe(403);
      expect(await queue.isPaused()).toBe(false);
      // The dashboard's own request (same origin) does what it asks.
      const own = await pause(new URL(api.config.http.publicUrl).origin);
      expect(own.statusCode).toBe(200);
      expect(await queue.isPaused()).toBe(true);
    } finally {
      await queue.obliterate({ force: true });
    }
  });
});
