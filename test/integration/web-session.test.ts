import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { createApiKey, revokeApiKey } from '../../src/workspaces/api-keys.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { openTestOrm } from '../helpers/test-orm.ts';

/**
 * Signing in to the web views: an API key opens a session (HttpOnly, SameSite=Lax cookie) that
 * the API accepts in place of the key; state-changing requests made with it need its CSRF token;
 * sign-out and revoking the key end it; another site cannot sign a visitor in.
 */
let orm: Orm;
let api: ApiHarness;

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm);
});
afterAll(async () => {
  await api.close();
  await orm.close(true);
});

async function signIn(key: string) {
  const res = await api.app.inject({
    method: 'POST',
    url: '/app/session',
    payload: { apiKey: key },
  });
  const setCookie = String(res.headers['set-cookie'] ?? '');
  const cookie = setCookie.split(';')[0] ?? '';
  return { res, setCookie, cookie };
}

describe('web sessions', () => {
  it('refuses a wrong key, by script or by the plain form', async () => {
    const { res } = await signIn('mr_wrong');
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    const form = await api.app.inject({
      method: 'POST',
      url: '/app/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'apiKey=mr_wrong',
    });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/app/?signin=failed');
  });

  it('opens a session the API accepts, with CSRF on every state-changing request', async () => {
    const { res, setCookie, cookie } = await signIn(api.key);
    expect(res.statusCode).toBe(200);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const { csrfToken, workspaceId } = res.json<{ csrfToken: string; workspaceId: string }>();
    expect(workspaceId).toBe(api.workspaceId);

    const list = await api.call('GET', '/api/v1/mailboxes', { as: null, headers: { cookie } });
    expect(list.statusCode).toBe(200);
    // A state-changing route: past authentication and CSRF, an unknown mailbox is a 404.
    const sync = `/api/v1/mailboxes/${randomUUID()}/sync`;
    const noCsrf = await api.call('POST', sync, { as: null, headers: { cookie } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: { code: 'CSRF_REJECTED' } });
    const wrongCsrf = await api.call('POST', sync, {
      as: null,
      headers: { cookie, 'x-csrf-token': `${csrfToken.slice(0, -1)}x` },
    });
    expect(wrongCsrf.statusCode).toBe(403);
    const withCsrf = await api.call('POST', sync, {
      as: null,
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(withCsrf.statusCode).toBe(404);

    const session = await api.app.inject({
      method: 'GET',
      url: '/app/session',
      headers: { cookie },
    });
    expect(session.json()).toEqual({ signedIn: true, workspaceId: api.workspaceId, csrfToken });

    const outNoCsrf = await api.app.inject({
      method: 'DELETE',
      url: '/app/session',
      headers: { cookie },
    });
    expect(outNoCsrf.statusCode).toBe(403);
    const out = await api.app.inject({
      method: 'DELETE',
      url: '/app/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    const after = await api.call('GET', '/api/v1/mailboxes', { as: null, headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('ends the sessions of a revoked key', async () => {
    const { id, key } = await createApiKey(orm.em.fork(), {
      workspaceId: api.workspaceId,
      name: 'revoked-later',
    });
    const { cookie } = await signIn(key);
    expect(
      (await api.call('GET', '/api/v1/mailboxes', { as: null, headers: { cookie } })).statusCode,
    ).toBe(200);
    await revokeApiKey(orm.em.fork(), id);
    expect(
      (await api.call('GET', '/api/v1/mailboxes', { as: null, headers: { cookie } })).statusCode,
    ).toBe(401);
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/app/session',
      headers: { origin: 'https://evil.example' },
      payload: { apiKey: api.key },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves /app with a Content-Security-Policy that allows this origin only', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/app/' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
  });
});
