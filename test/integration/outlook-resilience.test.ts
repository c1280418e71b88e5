import { expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { exportWorkspace } from '../../src/export/export-workspace.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { silentLog } from '../helpers/gmail-harness.ts';
import { connectOutlookMailbox, type GraphHarness } from '../helpers/graph-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { killSyncMidBackfill } from '../helpers/kill-mid-backfill.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

it.override('graphEnv', { scope: 'file' }, { MAILROOM_FETCH_CONCURRENCY: '2' });

async function seeded(orm: Orm, g: GraphHarness, email: string, count: number) {
  const ws = await createWorkspace(orm, { domains: ['contoso.com'] });
  const mb = await connectOutlookMailbox(orm, g, ws, email);
  for (let i = 0; i < count; i++) {
    await g.emulator.addMime(
      email,
      'inbox',
      buildEml({
        from: `P${i} <p${i}@tail${i % 5}.com>`,
        to: [email],
        messageId: `<${email}-${i}@x>`,
        date: new Date(Date.UTC(2026, 8, 1, 0, i)).toUTCString(),
      }),
    );
  }
  return { ws, mb };
}

it('rides out throttling (429 with Retry-After) and 503s on delta and $value', async ({
  orm,
  graph: g,
}) => {
  const email = 'throttled@contoso.com';
  const { ws, mb } = await seeded(orm, g, email, 20);
  const fired = injectFaults(
    g.emulator.faults,
    {
      path: '/\\$value$',
      status: 429,
      reason: 'ApplicationThrottled',
      retryAfterSeconds: 1,
      count: 5,
    },
    { path: '/messages/delta$', status: 503, retryAfterSeconds: 1, count: 2 },
  );
  const result = await runSyncNow(g.config, orm, silentLog, mb);
  expect(result.status).toBe('active');
  expect(fired()).toBe(7);
  expect(g.emulator.stats.throttled).toBeGreaterThanOrEqual(5);
  const data = await exportWorkspace(orm.em.fork(), ws);
  expect(data.emails).toHaveLength(20);
  expect(data.activities).toHaveLength(20);
});

it('a worker killed mid-backfill resumes without refetching or duplicating', async ({
  orm,
  graph: g,
}) => {
  const email = 'killed@contoso.com';
  const TOTAL = 150;
  const { ws, mb } = await seeded(orm, g, email, TOTAL);
  const fired = injectFaults(g.emulator.faults, { path: '/\\$value$', delayMs: 25, count: TOTAL });
  const storedAtKill = await killSyncMidBackfill(orm, g.env, mb, 50);
  expect(storedAtKill).toBeGreaterThanOrEqual(50);
  expect(storedAtKill).toBeLessThan(TOTAL);
  const before = g.emulator.stats.byRoute['messages.value'] ?? 0;
  const result = await runSyncNow(g.config, orm, silentLog, mb);
  expect(result.status).toBe('active');
  const refetched = (g.emulator.stats.byRoute['messages.value'] ?? 0) - before;
  // Every message body is fetched at least once, so every slow-fetch fault was served.
  expect(fired()).toBe(TOTAL);
  expect(refetched).toBeLessThanOrEqual(TOTAL - storedAtKill + 3);
  const data = await exportWorkspace(orm.em.fork(), ws);
  expect(data.emails).toHaveLength(TOTAL);
  expect(data.activities).toHaveLength(TOTAL);
});
