import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { ingestRaw, testPool } from '../helpers/ingest.ts';
import { createMailbox, openTestOrm } from '../helpers/test-orm.ts';

/**
 * `GET /app/emails/{id}/body`: the thread view's frame document. Sanitised HTML under its own
 * CSP (inline styles yes, scripts and remote loads no, sandboxed), for the session's workspace
 * only.
 */
let orm: Orm;
let api: ApiHarness;
let emailId: string;

const html = Buffer.from(
  [
    'From: Ada <ada@acme.example>',
    'To: rep@mine.example',
    'Subject: Styled',
    'Date: Mon, 05 Oct 2026 10:00:00 +0000',
    'Message-ID: <styled@acme.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p style="color: red">Hello</p><script>alert(1)</script>',
    '',
  ].join('\r\n'),
);

async function sessionCookie(key: string): Promise<string> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/app/session',
    payload: { apiKey: key },
  });
  return String(res.headers['set-cookie']).split(';')[0] ?? '';
}

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm);
  const mailboxId = await createMailbox(orm, api.workspaceId, 'rep@mine.example');
  const pool = testPool();
  try {
    await ingestRaw(orm, pool, api.workspaceId, mailboxId, [html]);
  } finally {
    await pool.close();
  }
  const list = await api.call('GET', '/api/v1/emails');
  emailId = list.json<{ items: { id: string }[] }>().items[0]?.id ?? '';
});
afterAll(async () => {
  await api.close();
  await orm.close(true);
});

describe('the message body document', () => {
  it('is the sanitised HTML under its own sandboxing CSP', async () => {
    const cookie = await sessionCookie(api.key);
    const res = await api.app.inject({
      method: 'GET',
      url: `/app/emails/${emailId}/body`,
      headers: { cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toMatch(/(^|; )sandbox(;|$)/);
    expect(csp).not.toContain('script-src');
    expect(res.body).toContain('Hello');
    expect(res.body).toContain('color');
    expect(res.body).not.toContain('<script');
  });

  it('needs a session, of the email’s workspace', async () => {
    const url = `/app/emails/${emailId}/body`;
    expect((await api.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const bearer = await api.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${api.key}` },
    });
    expect(bearer.statusCode).toBe(401);
    const other = await sessionCookie(api.other.key);
    const res = await api.app.inject({ method: 'GET', url, headers: { cookie: other } });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Hello');
  });
});
