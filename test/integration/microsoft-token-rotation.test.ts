import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { MicrosoftTokenStore } from '../../src/providers/microsoft/oauth/microsoft-token-store.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { createWorkspace, testDatabaseUrl } from '../helpers/test-orm.ts';

// The emulator's default request budget (Graph's 10,000 per 10 minutes), not the harness's none.
it.override('graphOptions', { scope: 'file' }, { requestsPerWindow: 10_000 });

it('two workers refreshing one Outlook mailbox at once keep the rotated refresh token chain', async ({
  orm,
  graph: { emulator: emu },
}) => {
  const key = randomBytes(32).toString('base64');
  const box = new SecretBox(key);
  const config = parseConfig({
    DATABASE_URL: testDatabaseUrl(),
    MAILROOM_ENCRYPTION_KEY: key,
    MICROSOFT_CLIENT_ID: 'c',
    MICROSOFT_CLIENT_SECRET: 's',
    MICROSOFT_LOGIN_URL: emu.baseUrl(),
    MICROSOFT_GRAPH_URL: emu.baseUrl(),
  });
  const email = 'rotation@contoso.com';
  emu.store.mailbox(email);
  const ws = await createWorkspace(orm);
  const mb = await connectMailbox(orm.em.fork(), box, {
    workspaceId: ws,
    provider: 'microsoft',
    email,
    refreshToken: emu.identity.issueRefreshToken(email),
    aliases: [],
    autoCreatePolicy: undefined,
  });
  const stored = async () =>
    (
      await orm.em
        .fork()
        .execute<{ credentials: string }[]>('select credentials from mailbox where id = ?', [mb])
    )[0]?.credentials ?? '';
  const initial = box.open(await stored());

  // Two workers (two stores, own caches) refresh at the same moment: the row lock serialises them.
  const workerA = new MicrosoftTokenStore(orm.em.fork(), box, config);
  const workerB = new MicrosoftTokenStore(orm.em.fork(), box, config);
  const [a, b] = await Promise.all([workerA.accessToken(mb), workerB.accessToken(mb)]);
  expect(emu.identity.userOf(a)).toBe(email);
  expect(emu.identity.userOf(b)).toBe(email);
  expect(workerA.refreshes + workerB.refreshes).toBe(2);
  // The row lock made them take turns: the second presented the token the first one stored.
  const log = emu.identity.refreshLog.slice(-2);
  expect(log[0]?.presented).toBe(initial);
  expect(log[1]?.presented).toBe(log[0]?.issued);

  // The stored token is the newest one issued, and it still works after both refreshes.
  const latest = box.open(await stored());
  expect(latest).not.toBe(initial);
  const workerC = new MicrosoftTokenStore(orm.em.fork(), box, config);
  expect(emu.identity.userOf(await workerC.accessToken(mb))).toBe(email);
  // Cached access tokens are reused, not refreshed again.
  await workerC.accessToken(mb);
  expect(workerC.refreshes).toBe(1);

  // A revoked grant is AUTH_REVOKED, with the AADSTS trace kept out of the message.
  emu.identity.revoke(email);
  workerC.invalidate(mb);
  await expect(workerC.accessToken(mb)).rejects.toMatchObject({
    kind: 'AUTH_REVOKED',
    message: expect.stringMatching(/invalid_grant: AADSTS70008/) as string,
  });
});
