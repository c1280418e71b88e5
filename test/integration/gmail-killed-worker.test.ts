import { expect } from 'vitest';
import { exportWorkspace } from '../../src/export/export-workspace.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog } from '../helpers/gmail-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { killSyncMidBackfill } from '../helpers/kill-mid-backfill.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

it.override('gmailEnv', { scope: 'file' }, { MAILROOM_FETCH_CONCURRENCY: '2' });

it('a worker killed mid-backfill resumes from its checkpoint without refetching or duplicating', async ({
  orm,
  gmail: h,
}) => {
  const email = 'killed@northwind.com';
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await connectGmailMailbox(orm, h, ws, email);
  const TOTAL = 160;
  for (let i = 0; i < TOTAL; i++) {
    h.emulator.store.addMessage(
      email,
      buildEml({
        from: `P${i} <p${i}@co${i % 9}.com>`,
        to: [email],
        messageId: `<k${i}@x>`,
        date: new Date(Date.UTC(2026, 8, 1, 0, i)).toUTCString(),
      }),
    );
  }
  // Slow fetches so the kill lands mid-backfill.
  const fired = injectFaults(h.emulator.faults, { path: '/messages/', delayMs: 25, count: TOTAL });

  const storedAtKill = await killSyncMidBackfill(orm, h.env, mb, 50);
  expect(storedAtKill).toBeGreaterThanOrEqual(50);
  expect(storedAtKill).toBeLessThan(TOTAL);
  const fetchesBefore = h.emulator.stats.byMethod['messages.get'] ?? 0;

  // Another worker picks the stalled job up once its lock expires, and finishes it.
  const result = await runSyncNow(h.config, orm, silentLog, mb);
  expect(result.status).toBe('active');
  // Every message is fetched at least once, so every slow-fetch fault was served.
  expect(fired()).toBe(TOTAL);
  const refetched = (h.emulator.stats.byMethod['messages.get'] ?? 0) - fetchesBefore;
  // Only what was not stored yet (plus the few in flight at the kill) is fetched again.
  expect(refetched).toBeLessThanOrEqual(TOTAL - storedAtKill + 4);
  const data = await exportWorkspace(orm.em.fork(), ws);
  expect(data.emails).toHaveLength(TOTAL);
  expect(data.activities).toHaveLength(TOTAL);
  expect(
    new Set((data.emails as { providerMessageId: string }[]).map((e) => e.providerMessageId)).size,
  ).toBe(TOTAL);
});
