import type { GraphEmulator } from '../../emulators/microsoft/graph-emulator.ts';
import { randomBytes } from 'node:crypto';
import { expect, onTestFinished } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { connectMailbox } from '../../src/mailboxes/connect-mailbox.ts';
import { MicrosoftTokenStore } from '../../src/providers/microsoft/oauth/microsoft-token-store.ts';
import { SecretBox } from '../../src/security/secret-box.ts';
import { it } from '../helpers/fixtures.ts';
import { createWorkspace, testDatabaseUrl } from '../helpers/test-orm.ts';

// The emulator's default request budget (Graph's 10,000 per 10 minutes), not the harness's none.
it.override('graphOptions', { scope: 'file' }, { requestsPerWindow: 10_000 });

/** A fresh encryption key, and the config that points token refreshes at the emulator. */
function tokenStoreSetUp(emu: GraphEmulator) {
  const key = randomBytes(32).toString('base64');
  return {
    box: new SecretBox(key),
    config: parseConfig({
      DATABASE_URL: testDatabaseUrl(),
      MAILROOM_ENCRYPTION_KEY: key,
      MICROSOFT_CLIENT_ID: 'c',
      MICROSOFT_CLIENT_SECRET: 's',
      MICROSOFT_LOGIN_URL: emu.baseUrl(),
      MICROSOFT_GRAPH_URL: emu.baseUrl(),
    }),
  };
}

it('one refresh per process, and two workers refreshing one Outlook mailbox at once keep a live token', async ({
  orm,
  graph: { emulator: emu },
}) => {
  const { box, config } = tokenStoreSetUp(emu);
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

  // In one process, the mail and calendar jobs asking at once share one refresh (one rotation).
  const single = new MicrosoftTokenStore(orm.em.fork(), box, config, 10);
  const [s1, s2] = await Promise.all([single.accessToken(mb), single.accessToken(mb)]);
  expect(s1).toBe(s2);
  expect(single.refreshes).toBe(1);
  const afterSingle = box.open(await stored());
  expect(afterSingle).toBe(emu.identity.refreshLog.at(-1)?.issued);

  // Two workers (two stores, own caches) refresh at the same moment. Without a lock they may both
  // present the same token; whichever order they ran in, the stored token is one Microsoft issued
  // from the stored chain, never an older one written back over a newer one.
  const workerA = new MicrosoftTokenStore(orm.em.fork(), box, config, 10);
  const workerB = new MicrosoftTokenStore(orm.em.fork(), box, config, 10);
  const [a, b] = await Promise.all([workerA.accessToken(mb), workerB.accessToken(mb)]);
  expect(emu.identity.userOf(a)).toBe(email);
  expect(emu.identity.userOf(b)).toBe(email);
  expect(workerA.refreshes + workerB.refreshes).toBe(2);
  const log = emu.identity.refreshLog.slice(-2);
  expect(log[0]?.presented).toBe(afterSingle);
  expect([afterSingle, log[0]?.issued]).toContain(log[1]?.presented);
  const chained = log[1]?.presented === log[0]?.issued;
  // Chained: the second refresh's token. Siblings: whichever wrote first (the other kept it).
  expect(chained ? [log[1]?.issued] : log.map((l) => l.issued)).toContain(box.open(await stored()));
  expect(initial).not.toBe(afterSingle);

  // The stored token still works after both refreshes.
  const workerC = new MicrosoftTokenStore(orm.em.fork(), box, config, 10);
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

/** Issue 10: a Microsoft token refresh used to hold `select … for update` across its HTTP call. */
it('a refresh in flight holds no row lock, and a slower refresh never overwrites a newer token', async ({
  orm,
  graph: { emulator: emu },
}) => {
  const { box, config } = tokenStoreSetUp(emu);
  const email = 'slow-refresh@contoso.com';
  emu.store.mailbox(email);
  const ws = await createWorkspace(orm);
  const connect = (refreshToken: string) =>
    connectMailbox(orm.em.fork(), box, {
      workspaceId: ws,
      provider: 'microsoft',
      email,
      refreshToken,
      aliases: [],
      autoCreatePolicy: undefined,
    });
  const mb = await connect(emu.identity.issueRefreshToken(email));
  const stored = async () =>
    box.open(
      (
        await orm.em
          .fork()
          .execute<{ credentials: string }[]>('select credentials from mailbox where id = ?', [mb])
      )[0]?.credentials ?? '',
    );
  /** Locks the mailbox row without waiting: throws (55P03) if anyone holds it. */
  const lockNowait = () =>
    orm.em
      .fork()
      .transactional((tx) =>
        tx.execute('select id from mailbox where id = ? for update nowait', [mb]),
      );
  const worker = () => new MicrosoftTokenStore(orm.em.fork(), box, config, 10);

  // 1. While worker A waits for Microsoft, the row is free, and worker B refreshes and stores R1b.
  const initial = await stored();
  const held = emu.identity.holdNextTokenRequest();
  // A failing assertion must not leave the held request waiting out the client's 30 s timeout.
  onTestFinished(held.release);
  const slow = worker().accessToken(mb);
  await held.arrived;
  await expect(lockNowait()).resolves.toBeDefined();
  const fast = worker();
  expect(emu.identity.userOf(await fast.accessToken(mb))).toBe(email);
  const newer = await stored();
  expect(newer).not.toBe(initial);
  held.release();
  // A's token works, but A (which started from the older token) does not overwrite B's.
  expect(emu.identity.userOf(await slow)).toBe(email);
  expect(await stored()).toBe(newer);
  const log = emu.identity.refreshLog.slice(-2);
  expect(log.map((l) => l.presented)).toEqual([initial, initial]);
  expect(log[0]?.issued).toBe(newer);

  // 2. A reconnect while a refresh is in flight: the reconnect's token is the newest, and stays.
  const held2 = emu.identity.holdNextTokenRequest();
  const during = worker().accessToken(mb);
  await held2.arrived;
  const reconnected = emu.identity.issueRefreshToken(email);
  await connect(reconnected);
  held2.release();
  await during;
  expect(await stored()).toBe(reconnected);

  // 3. The same token re-sealed meanwhile (keys:rotate): the rotated token is still written.
  const held3 = emu.identity.holdNextTokenRequest();
  const resealed = worker().accessToken(mb);
  await held3.arrived;
  await orm.em
    .fork()
    .execute('update mailbox set credentials = ? where id = ?', [box.seal(reconnected), mb]);
  held3.release();
  await resealed;
  expect(emu.identity.refreshLog.at(-1)?.presented).toBe(reconnected);
  expect(await stored()).toBe(emu.identity.refreshLog.at(-1)?.issued);
});
