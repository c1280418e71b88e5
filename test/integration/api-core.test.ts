import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { revokeApiKey } from '../../src/workspaces/api-keys.ts';
import { createApiKey } from '../../src/workspaces/api-keys.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { freePort } from '../helpers/processes.ts';
import { createMailbox, openTestOrm } from '../helpers/test-orm.ts';

/**
 * The API's common ground: keys, the error shape, the OpenAPI document and /docs, tenancy on a
 * mailbox, the per-key rate limit.
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

it('refuses a request without a key, with a malformed, unknown or revoked key: one 401', async () => {
  const fresh = await createApiKey(orm.em.fork(), { workspaceId: api.workspaceId, name: 'x' });
  await revokeApiKey(orm.em.fork(), fresh.id);
  const unknown = `mr_${'0'.repeat(12)}_${'A'.repeat(43)}`;
  const tampered = `${api.key.slice(0, -1)}${api.key.endsWith('A') ? 'B' : 'A'}`;
  for (const as of [null, 'nonsense', unknown, tampered, fresh.key]) {
    const res = await api.call('GET', '/api/v1/mailboxes', { as });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('API key') as string },
    });
  }
  expect((await api.call('GET', '/api/v1/mailboxes')).statusCode).toBe(200);
});

it('sees only its own workspace: another workspace’s mailbox is a 404, a bad id a 400 naming it', async () => {
  const mine = await createMailbox(orm, api.workspaceId, 'rep@mine.example');
  const theirs = await createMailbox(orm, api.other.workspaceId, 'rep@theirs.example');
  const list = await api.call('GET', '/api/v1/mailboxes');
  expect(list.json<{ items: { id: string }[] }>().items.map((m) => m.id)).toEqual([mine]);
  const one = await api.call('GET', `/api/v1/mailboxes/${mine}`);
  expect(one.json()).toMatchObject({ id: mine, email: 'rep@mine.example', status: 'active' });
  const across = await api.call('GET', `/api/v1/mailboxes/${theirs}`);
  expect(across.statusCode).toBe(404);
  expect(across.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  const bad = await api.call('GET', '/api/v1/mailboxes/not-a-uuid');
  expect(bad.statusCode).toBe(400);
  expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^params\.id: /);
});

it('publishes an OpenAPI 3.1 document without a key, and renders it at /docs from local assets', async () => {
  const doc = await api.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  expect(doc.statusCode).toBe(200);
  const body = doc.json<{ openapi: string; paths: Record<string, unknown> }>();
  expect(body.openapi).toBe('3.1.0');
  expect(Object.keys(body.paths)).toContain('/api/v1/mailboxes/{id}');
  // A valid OpenAPI 3.1 document, by an independent validator (its structure; each response
  // schema is compiled by Ajv, JSON Schema 2020-12, whenever the harness checks a response).
  await expect(SwaggerParser.validate(structuredClone(body) as never)).resolves.toBeDefined();
  const page = await api.app.inject({ method: 'GET', url: '/docs/' });
  expect(page.statusCode).toBe(200);
  expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)[^"']*\.(js|css)/);
  const script = await api.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  expect(script.statusCode).toBe(200);
});

it('limits each key per minute with 429 and Retry-After, counted in Redis', async () => {
  const limited = await startApi(orm, { MAILROOM_API_RATE_LIMIT: '3' });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await limited.call('GET', '/api/v1/mailboxes')).statusCode);
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    const res = await limited.call('GET', '/api/v1/mailboxes');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('RATE_LIMITED');
    // Another key has its own budget.
    expect(
      (await limited.call('GET', '/api/v1/mailboxes', { as: limited.other.key })).statusCode,
    ).toBe(200);
  } finally {
    await limited.close();
  }
});

it('keeps answering reads while Redis is down (the rate limit steps aside)', async () => {
  const down = await startApi(orm, { REDIS_URL: `redis://127.0.0.1:${String(await freePort())}` });
  try {
    const res = await down.call('GET', '/api/v1/mailboxes');
    expect(res.statusCode).toBe(200);
  } finally {
    await down.close();
  }
});
