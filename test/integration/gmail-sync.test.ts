import { describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { exportOf } from '../helpers/ingest.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

function seed(h: GmailHarness, email: string, count: number, prefix: string, day = 1): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = buildEml({
      from: `Person ${prefix}${i} <p${prefix}${i}@company${i % 7}.com>`,
      to: [email],
      messageId: `<${prefix}-${i}@mail.test>`,
      date: new Date(Date.UTC(2026, 9, day, 8, i)).toUTCString(),
    });
    ids.push(h.emulator.store.addMessage(email, raw).id);
  }
  return ids;
}

async function setup(orm: Orm, h: GmailHarness, email: string) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
  const mb = await connectGmailMailbox(orm, h, ws, email);
  return { ws, mb };
}

type EmailRow = { providerMessageId: string; deleted: boolean; labels: string[] };

describe('Gmail sync through BullMQ and the real Gmail client', () => {
  it('full sync, then incremental adds, deletes and label changes; re-sync is idempotent', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'rep1@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    const ids = seed(h, email, 25, 'a');
    // Spam, trash and drafts are never synced.
    h.emulator.store.addMessage(
      email,
      buildEml({ from: 'spam@spam.com', to: [email], messageId: '<spam@x>' }),
      ['SPAM'],
    );
    h.emulator.store.addMessage(
      email,
      buildEml({ from: email, to: ['x@draft.com'], messageId: '<draft@x>' }),
      ['DRAFT'],
    );

    const first = await runSyncNow(h.config, orm, silentLog, mb);
    // Spam is never listed; the draft is listed, fetched once, and left out by its label.
    expect(first).toMatchObject({
      status: 'active',
      stage: 'incremental',
      fetched: 26,
      excluded: 1,
    });
    expect(first.counters).toMatchObject({
      emailsStored: 25,
      peopleCreated: 25,
      companiesCreated: 7,
    });
    let data = await exportOf(orm, ws);
    expect(data.emails).toHaveLength(25);
    expect(data.activities).toHaveLength(25);

    // Incremental: 3 new, 1 deleted, 1 trashed, 1 relabeled, 1 added straight to spam.
    const added = seed(h, email, 3, 'b', 20);
    h.emulator.store.deleteMessage(email, ids[0] ?? '');
    h.emulator.store.relabel(email, ids[1] ?? '', ['TRASH'], ['INBOX']);
    h.emulator.store.relabel(email, ids[2] ?? '', ['STARRED'], ['UNREAD']);
    h.emulator.store.addMessage(
      email,
      buildEml({ from: 'late@spam.com', to: [email], messageId: '<spam2@x>' }),
      ['SPAM'],
    );
    const second = await runSyncNow(h.config, orm, silentLog, mb);
    expect(second).toMatchObject({ fetched: 3, deleted: 1, excluded: 1 });
    expect(second.counters.emailsStored).toBe(3);
    data = await exportOf(orm, ws);
    const rows = data.emails as EmailRow[];
    expect(rows).toHaveLength(28);
    expect(rows.find((e) => e.providerMessageId === ids[0])?.deleted).toBe(true);
    expect(rows.find((e) => e.providerMessageId === ids[1])?.deleted).toBe(true);
    expect(rows.find((e) => e.providerMessageId === ids[2])?.labels).toEqual(['INBOX', 'STARRED']);
    for (const id of added) {
      expect(rows.find((e) => e.providerMessageId === id)?.deleted).toBe(false);
    }

    // Untrash restores it; a third sync with nothing new changes nothing else.
    h.emulator.store.relabel(email, ids[1] ?? '', ['INBOX'], ['TRASH']);
    const before = h.emulator.stats.byMethod['messages.get'] ?? 0;
    const third = await runSyncNow(h.config, orm, silentLog, mb);
    expect(third).toMatchObject({ fetched: 0, deleted: 0 });
    expect(h.emulator.stats.byMethod['messages.get'] ?? 0).toBe(before);
    const after = await exportOf(orm, ws);
    expect((after.emails as EmailRow[]).find((e) => e.providerMessageId === ids[1])?.deleted).toBe(
      false,
    );
    expect(after.people).toEqual(data.people);
    expect(after.activities).toEqual(data.activities);
    const status = (await mailboxStatus(orm.em.fork(), mb)) as {
      stages: { mail: string };
      cursors: { mail: string };
      backfill: { done: number; total: number };
    };
    expect(status.stages.mail).toBe('incremental');
    expect(status.cursors.mail).toMatch(/^\d+$/);
    // Progress counts what the listing covered, the draft included.
    expect(status.backfill).toMatchObject({ done: 26, total: 26 });
  });

  it('an expired history id triggers a bounded resync that duplicates nothing', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'rep2@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    seed(h, email, 12, 'c');
    await runSyncNow(h.config, orm, silentLog, mb);
    seed(h, email, 4, 'd', 15);
    h.emulator.store.expireHistory(email);
    const resync = await runSyncNow(h.config, orm, silentLog, mb);
    expect(resync).toMatchObject({ resyncs: 1, fetched: 4, alreadyStored: 12 });
    const data = await exportOf(orm, ws);
    expect(data.emails).toHaveLength(16);
    expect(data.people).toHaveLength(16);
    expect(data.activities).toHaveLength(16);
  });

  it('rides out a 429 storm and 5xx bursts without losing or duplicating mail', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'rep3@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    seed(h, email, 20, 'e');
    const fired = injectFaults(
      h.emulator.faults,
      { path: '/messages/', status: 429, retryAfterSeconds: 1, count: 6 },
      { path: '/messages$', status: 503, count: 2 },
      { path: '/profile$', status: 500, count: 1 },
    );
    const result = await runSyncNow(h.config, orm, silentLog, mb);
    expect(result.status).toBe('active');
    expect(fired()).toBe(9);
    const data = await exportOf(orm, ws);
    expect(data.emails).toHaveLength(20);
    expect(data.activities).toHaveLength(20);
  });

  it('invalid_grant marks the mailbox reauth_required, writes an event and stops retrying', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'rep4@northwind.com';
    const { mb } = await setup(orm, h, email);
    seed(h, email, 3, 'f');
    h.emulator.auth.revokeUser(email);
    await expect(runSyncNow(h.config, orm, silentLog, mb)).rejects.toThrow(
      /needs to be reconnected/,
    );
    const status = (await mailboxStatus(orm.em.fork(), mb)) as {
      status: string;
      lastError: string;
    };
    expect(status.status).toBe('reauth_required');
    expect(status.lastError).toMatch(/invalid_grant/);
    const events = await orm.em
      .fork()
      .execute<{ type: string }[]>(
        `select type from outbox_event where aggregate_id = ? and type = 'mailbox.reauth_required'`,
        [mb],
      );
    expect(events).toHaveLength(1);
    const refreshesBefore = h.emulator.auth.refreshes;
    await expect(runSyncNow(h.config, orm, silentLog, mb)).rejects.toThrow(
      /needs to be reconnected/,
    );
    expect(h.emulator.auth.refreshes).toBe(refreshesBefore);
  });

  it('two syncs of one mailbox asked for at once run one after the other', async ({
    orm,
    gmail: h,
  }) => {
    const email = 'rep5@northwind.com';
    const { ws, mb } = await setup(orm, h, email);
    seed(h, email, 30, 'g');
    const fired = injectFaults(h.emulator.faults, { path: '/messages/', delayMs: 20, count: 30 });
    const [a, b] = await Promise.all([
      runSyncNow(h.config, orm, silentLog, mb),
      runSyncNow(h.config, orm, silentLog, mb),
    ]);
    // One of them does the work; the other waits for it (never syncing beside it), then finds
    // nothing left: every message is fetched and stored once.
    expect(a.counters.emailsStored + b.counters.emailsStored).toBe(30);
    expect(a.fetched + b.fetched).toBe(30);
    expect(h.emulator.stats.byMethod['messages.get']).toBeGreaterThanOrEqual(30);
    expect(fired()).toBe(30);
    const data = await exportOf(orm, ws);
    expect(data.emails).toHaveLength(30);
  });
});
