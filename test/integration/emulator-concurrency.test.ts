import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEml } from '../helpers/build-eml.ts';
import { startGmailHarness, type GmailHarness } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { waitFor } from '../helpers/wait-for.ts';

const EMAIL = 'gone.clients@northwind.com';

let h: GmailHarness;
beforeAll(async () => {
  h = await startGmailHarness({ maxConcurrentPerUser: 2 });
});
afterAll(async () => {
  await h.close();
});

describe("the emulators' per-user concurrency ceiling", () => {
  it('frees the slot of a client that went away, before or after its request was counted', async () => {
    const message = h.emulator.store.addMessage(
      EMAIL,
      buildEml({ from: 'a@fabrikam.com', to: [EMAIL] }),
    );
    const token = h.emulator.auth.issueAccessToken(EMAIL);
    const get = (timeoutMs?: number) =>
      fetch(`${h.url}/gmail/v1/users/me/messages/${message.id}?format=minimal`, {
        headers: { authorization: `Bearer ${token}` },
        ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    // What one counted request adds to the quota meter, which is charged just before counting.
    const before = h.emulator.stats.quotaUnits;
    expect((await get()).status).toBe(200);
    const perRequest = h.emulator.stats.quotaUnits - before;
    expect(perRequest).toBeGreaterThan(0);
    const start = h.emulator.stats.quotaUnits;
    // Two clients give up while their requests wait out a delay before they are counted, and two
    // while their answers are held back after it: as many as the ceiling, each time.
    const fired = injectFaults(
      h.emulator.faults,
      { path: '/messages/', method: 'GET', delayMs: 500, count: 2 },
      { path: '/messages/', method: 'GET', delayMs: 500, afterEffect: true, count: 2 },
    );
    for (let i = 0; i < 4; i++) {
      await expect(get(100)).rejects.toThrow();
    }
    expect(fired()).toBe(4);
    // The server has let all four through only once each has been charged: the first two after
    // their delay, long after their clients went away.
    await waitFor(
      () => Promise.resolve(h.emulator.stats.quotaUnits - start >= 4 * perRequest),
      'the four requests to be charged',
      10_000,
    );
    // Once the server is done with them, the user has both slots again (a slot kept for a gone
    // client would answer 429 to every request from then on).
    await waitFor(async () => (await get()).status === 200, 'a request let through', 10_000);
    const answers = await Promise.all([get(), get()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
  });
});
