import { Client, PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { describe, expect } from 'vitest';
import type { GraphEmulator } from '../../emulators/microsoft/graph-emulator.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';

/** The Graph emulator driven by the real Graph SDK over HTTPS (provider-apis.md §D.8, §F.3). */
// A small request budget in the real 10-minute window: the throttling test reaches it however slowly
// the machine runs (a short window can slide past before the budget is spent on a loaded machine).
it.override('graphOptions', { scope: 'file' }, { requestsPerWindow: 50 });

async function tokenFor(emu: GraphEmulator, refreshToken: string, tenant = 'common') {
  const res = await fetch(`${emu.baseUrl()}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: 'c',
      scope: 'offline_access Mail.Read',
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function client(emu: GraphEmulator, accessToken: string): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: () => Promise.resolve(accessToken) },
    baseUrl: emu.baseUrl(),
    customHosts: new Set(['localhost']),
  });
}

describe('Graph emulator through @microsoft/microsoft-graph-client', () => {
  it('rotates refresh tokens and answers a revoked grant with AADSTS invalid_grant', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'rot@contoso.com';
    const first = emu.identity.issueRefreshToken(email);
    emu.store.mailbox(email);
    const a = await tokenFor(emu, first);
    expect(a.status).toBe(200);
    expect(a.body['refresh_token']).toEqual(expect.any(String));
    expect(a.body['refresh_token']).not.toBe(first);
    const b = await tokenFor(emu, String(a.body['refresh_token']));
    expect(b.body['refresh_token']).not.toBe(a.body['refresh_token']);
    emu.identity.revoke(email);
    const c = await tokenFor(emu, String(b.body['refresh_token']));
    expect(c.status).toBe(400);
    expect(c.body).toMatchObject({ error: 'invalid_grant', error_codes: [70008] });
    expect(String(c.body['error_description'])).toMatch(/^AADSTS70008:/);
  });

  it('pages a folder delta with absolute links, then reports changes and removals', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'delta@contoso.com';
    for (let i = 0; i < 7; i++) {
      await emu.addMime(
        email,
        'inbox',
        buildEml({ from: `S${i} <s${i}@fabrikam.com>`, to: [email], messageId: `<d${i}@x>` }),
      );
    }
    await emu.addMime(
      email,
      'sentitems',
      buildEml({ from: email, to: ['x@fabrikam.com'], messageId: '<sent@x>' }),
    );
    const token = String(
      (await tokenFor(emu, emu.identity.issueRefreshToken(email))).body['access_token'],
    );
    const graph = client(emu, token);

    const seen: { id: string; internetMessageId?: string; removed?: boolean }[] = [];
    const first = (await graph
      .api('/me/mailFolders/inbox/messages/delta')
      .select(['internetMessageId', 'subject', 'from', 'internetMessageHeaders'])
      .header('Prefer', 'odata.maxpagesize=3')
      .get()) as PageCollection;
    const iterator = new PageIterator(
      graph,
      first,
      (item: {
        id: string;
        internetMessageId?: string;
        '@removed'?: unknown;
        internetMessageHeaders?: unknown[];
      }) => {
        expect(item.internetMessageHeaders).toEqual(
          expect.arrayContaining([expect.objectContaining({ name: 'Message-ID' })]),
        );
        seen.push({
          id: item.id,
          ...(item.internetMessageId ? { internetMessageId: item.internetMessageId } : {}),
        });
        return true;
      },
    );
    await iterator.iterate();
    expect(seen.map((s) => s.internetMessageId).sort()).toEqual([
      '<d0@x>',
      '<d1@x>',
      '<d2@x>',
      '<d3@x>',
      '<d4@x>',
      '<d5@x>',
      '<d6@x>',
    ]);
    const deltaLink = iterator.getDeltaLink();
    expect(deltaLink).toMatch(
      /^https:\/\/localhost:\d+\/v1\.0\/me\/mailFolders\/.+\/messages\/delta\?\$deltatoken=/,
    );

    // Changes: one new, one deleted, one moved to Deleted Items.
    await emu.addMime(
      email,
      'inbox',
      buildEml({ from: 'New <new@fabrikam.com>', to: [email], messageId: '<d7@x>' }),
    );
    emu.store.delete(email, seen[0]?.id ?? '');
    emu.store.move(email, seen[1]?.id ?? '', 'deleteditems');
    const changes = (await graph.api(deltaLink ?? '').get()) as {
      value: { id: string; internetMessageId?: string; '@removed'?: { reason: string } }[];
      '@odata.deltaLink'?: string;
    };
    expect(
      changes.value
        .filter((v) => v['@removed'])
        .map((v) => v.id)
        .sort(),
    ).toEqual([seen[0]?.id, seen[1]?.id].sort());
    expect(changes.value.filter((v) => !v['@removed']).map((v) => v.internetMessageId)).toEqual([
      '<d7@x>',
    ]);
    // The $select of the first call is kept in the token.
    expect(Object.keys(changes.value.find((v) => !v['@removed']) ?? {})).toEqual(
      expect.arrayContaining([
        'id',
        'internetMessageId',
        'subject',
        'from',
        'internetMessageHeaders',
      ]),
    );

    emu.store.expireDeltaTokens(email);
    await expect(graph.api(changes['@odata.deltaLink'] ?? '').get()).rejects.toMatchObject({
      statusCode: 410,
      code: 'syncStateNotFound',
    });
  });

  it('serves raw MIME, batches up to 20, and throttles with Retry-After', async ({
    graph: { emulator: emu },
  }) => {
    const email = 'batch@contoso.com';
    const stored = await emu.addMime(
      email,
      'inbox',
      buildEml({
        from: 'A <a@fabrikam.com>',
        to: [email],
        messageId: '<b1@x>',
        subject: 'Raw please',
      }),
    );
    const accessToken = String(
      (await tokenFor(emu, emu.identity.issueRefreshToken(email))).body['access_token'],
    );
    const graph = client(emu, accessToken);
    const raw = (await graph
      .api(`/me/messages/${stored.id}/$value`)
      .getStream()) as ReadableStream<Uint8Array>;
    const text = await new Response(raw).text();
    expect(text).toContain('Subject: Raw please');

    const batch = (await graph.api('/$batch').post({
      requests: Array.from({ length: 3 }, (_, i) => ({
        id: String(i + 1),
        method: 'GET',
        url: `/me/messages/${stored.id}?$select=internetMessageId`,
      })),
    })) as { responses: { id: string; status: number; body: { internetMessageId: string } }[] };
    expect(batch.responses.map((r) => [r.status, r.body.internetMessageId])).toEqual([
      [200, '<b1@x>'],
      [200, '<b1@x>'],
      [200, '<b1@x>'],
    ]);
    await expect(
      graph.api('/$batch').post({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: 'GET',
          url: '/me',
        })),
      }),
    ).rejects.toMatchObject({ statusCode: 400 });

    // 50 requests per 10-minute window here. Plain fetch, not the SDK: its RetryHandler would wait out
    // the window's Retry-After; the SDK's handling of a 429 is covered by outlook-resilience.test.ts.
    const before = emu.stats.throttled;
    const me = () =>
      fetch(`${emu.baseUrl()}/v1.0/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
    let refused: Response | null = null;
    for (let i = 0; i <= 50 && !refused; i++) {
      const res = await me();
      if (res.status === 429) {
        refused = res;
      } else {
        expect(res.status).toBe(200);
      }
    }
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(((await refused?.json()) as { error: { code: string } }).error.code).toBe(
      'TooManyRequests',
    );
    expect(emu.stats.throttled).toBe(before + 1);
  });
});
