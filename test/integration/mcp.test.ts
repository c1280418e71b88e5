import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { REPO_ROOT } from '../helpers/processes.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { exportOf, ingestRaw, testPool } from '../helpers/ingest.ts';
import { createMailbox, openTestOrm, testRedisUrl } from '../helpers/test-orm.ts';

/**
 * The MCP tools through the official SDK client, over streamable HTTP (`/mcp` on the API server)
 * and over stdio (`npm run mcp`'s entry point): the same services as the API, the key's workspace.
 */
let orm: Orm;
let api: ApiHarness;
let baseUrl: URL;
let mine: string;
let theirs: string;
let emailId: string;
beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = api.app.server.address() as AddressInfo;
  baseUrl = new URL(`http://127.0.0.1:${String(port)}/mcp`);
  mine = await createMailbox(orm, api.workspaceId, 'rep@mcp-mine.example');
  theirs = await createMailbox(orm, api.other.workspaceId, 'rep@mcp-theirs.example');
  const pool = testPool();
  try {
    await ingestRaw(orm, pool, api.workspaceId, mine, [
      buildEml({
        from: 'Ana Buyer <ana@mcp-customer.example>',
        to: ['rep@mcp-mine.example'],
        subject: 'Pricing for the renewal',
        messageId: '<mcp-pricing@customer.example>',
      }),
    ]);
  } finally {
    await pool.close();
  }
  emailId = (await exportOf(orm, api.workspaceId)).emails[0]?.id ?? '';
});
afterAll(async () => {
  await api.close();
  await orm.close(true);
});

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };
const textOf = (r: unknown) => (r as ToolResult).content[0]?.text ?? '';

async function exercise(client: Client) {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([
    'crm.calendar.list',
    'crm.company.timeline',
    'crm.email.get',
    'crm.email.search',
    'crm.email.send',
    'crm.email.thread',
    'crm.mailbox.list',
    'crm.mailbox.status',
    'crm.person.get',
    'crm.person.timeline',
  ]);
  const status = tools.find((t) => t.name === 'crm.mailbox.status');
  expect(status?.inputSchema).toMatchObject({ required: ['id'] });

  const list = await client.callTool({ name: 'crm.mailbox.list', arguments: {} });
  expect(JSON.parse(textOf(list))).toMatchObject({
    items: [{ id: mine, email: 'rep@mcp-mine.example' }],
  });
  const one = await client.callTool({ name: 'crm.mailbox.status', arguments: { id: mine } });
  expect(JSON.parse(textOf(one))).toEqual(
    (await api.call('GET', `/api/v1/mailboxes/${mine}`)).json(),
  );
  const across = await client.callTool({ name: 'crm.mailbox.status', arguments: { id: theirs } });
  expect((across as ToolResult).isError).toBe(true);
  expect(textOf(across)).toMatch(/^NOT_FOUND: /);
  const bad = await client.callTool({ name: 'crm.mailbox.status', arguments: { id: 'nope' } });
  expect((bad as ToolResult).isError).toBe(true);

  // The email tools answer exactly what the API answers.
  const same = async (name: string, args: Record<string, unknown>, url: string) => {
    const result = await client.callTool({ name, arguments: args });
    expect({ name, error: (result as ToolResult).isError ? textOf(result) : null }).toEqual({
      name,
      error: null,
    });
    expect(JSON.parse(textOf(result))).toEqual((await api.call('GET', url)).json());
  };
  await same('crm.email.search', { q: 'pricing', limit: 5 }, '/api/v1/emails?q=pricing&limit=5');
  await same('crm.email.get', { id: emailId }, `/api/v1/emails/${emailId}`);
  await same('crm.email.thread', { id: emailId }, `/api/v1/emails/${emailId}/thread`);
  const data = await exportOf(orm, api.workspaceId);
  const ana = data.people.find((p) => p.email === 'ana@mcp-customer.example');
  const company = data.companies.find((c) => c.domain === 'mcp-customer.example');
  expect(ana && company).toBeTruthy();
  await same(
    'crm.person.get',
    { email: 'ANA@mcp-customer.example' },
    `/api/v1/people/${ana?.id ?? ''}`,
  );
  await same('crm.person.get', { id: ana?.id }, `/api/v1/people/${ana?.id ?? ''}`);
  await same(
    'crm.person.timeline',
    { id: ana?.id, limit: 10 },
    `/api/v1/people/${ana?.id ?? ''}/timeline?limit=10`,
  );
  await same(
    'crm.company.timeline',
    { id: company?.id },
    `/api/v1/companies/${company?.id ?? ''}/timeline`,
  );
  const window = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
  await same('crm.calendar.list', window, `/api/v1/calendar?from=${window.from}&to=${window.to}`);
  const noOne = await client.callTool({ name: 'crm.person.get', arguments: {} });
  expect(textOf(noOne)).toMatch(/^INVALID_INPUT: /);
  const found = await client.callTool({ name: 'crm.email.search', arguments: { q: 'pricing' } });
  expect(JSON.parse(textOf(found))).toMatchObject({ items: [{ id: emailId }] });
}

it('serves the tools over streamable HTTP with the bearer key', async () => {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(baseUrl, {
      requestInit: { headers: { authorization: `Bearer ${api.key}` } },
    }),
  );
  try {
    await exercise(client);
  } finally {
    await client.close();
  }
});

it('refuses /mcp without a valid key', async () => {
  const res = await fetch(baseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  expect(res.status).toBe(401);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await expect(
    client.connect(
      new StreamableHTTPClientTransport(baseUrl, {
        requestInit: { headers: { authorization: 'Bearer mr_000000000000_nope' } },
      }),
    ),
  ).rejects.toThrow();
});

it('serves the same tools over stdio (`npm run mcp`) with MAILROOM_API_KEY', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['src/mcp-main.ts'],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: api.config.db.url,
      REDIS_URL: testRedisUrl(),
      MAILROOM_API_KEY: api.key,
      LOG_LEVEL: 'silent',
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(transport);
  try {
    await exercise(client);
  } finally {
    await client.close();
  }
});

it('counts MCP calls against the key’s rate limit, with its API requests', async () => {
  const limited = await startApi(orm, { MAILROOM_API_RATE_LIMIT: '3' });
  try {
    const list = async () =>
      (
        await limited.app.inject({
          method: 'POST',
          url: '/mcp',
          headers: {
            authorization: `Bearer ${limited.key}`,
            accept: 'application/json, text/event-stream',
            'content-type': 'application/json',
          },
          payload: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
        })
      ).statusCode;
    const api1 = await limited.call('GET', '/api/v1/mailboxes', {});
    expect(api1.statusCode).toBe(200);
    expect([await list(), await list(), await list()]).toEqual([200, 200, 429]);
  } finally {
    await limited.close();
  }
});
