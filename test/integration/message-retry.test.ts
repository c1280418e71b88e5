import { describe, expect } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog, type GmailHarness } from '../helpers/gmail-harness.ts';
import { connectOutlookMailbox } from '../helpers/graph-harness.ts';
import { injectFaults } from '../helpers/inject-faults.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

/**
 * Issue 10 item 2: the failure ledger is a queue to retry, not a grave. A real failure: the
 * message is over `MAILROOM_MAX_MESSAGE_BYTES` while the operator has the cap too low. Retries are
 * due at once here (`MAILROOM_MESSAGE_RETRY_SECONDS=0,0`: two retries), so no test waits.
 */
it.override('gmailEnv', { scope: 'file' }, { MAILROOM_MESSAGE_RETRY_SECONDS: '0,0' });
it.override('graphEnv', { scope: 'file' }, { MAILROOM_MESSAGE_RETRY_SECONDS: '0,0' });

const CAP = 4000;
const tight = (h: { env: Record<string, string> }, env: Record<string, string> = {}): Config =>
  parseConfig({ ...h.env, MAILROOM_MAX_MESSAGE_BYTES: String(CAP), ...env });

function seed(h: GmailHarness, owner: string, names: string[], bigNames: string[]): string[] {
  return [...names, ...bigNames].map(
    (name) =>
      h.emulator.store.addMessage(
        owner,
        buildEml({
          from: `${name} <${name}@customer.example>`,
          to: [owner],
          messageId: `<${name}.${owner}@customer.example>`,
          body: bigNames.includes(name) ? 'A long proposal. '.repeat(400) : 'Short note.',
        }),
      ).id,
  );
}

const fetches = (h: GmailHarness) => h.emulator.stats.byMethod['messages.get'] ?? 0;

describe('failed messages are retried, a bounded number of times', () => {
  it('retries a failed message once it is due, stores it and clears the ledger', async ({
    orm,
    gmail,
  }) => {
    const owner = 'ana@ourco.com';
    seed(gmail, owner, ['amy', 'bo'], ['cy']);
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const mb = await connectGmailMailbox(orm, gmail, ws, owner);

    const first = await runSyncNow(tight(gmail), orm, silentLog, mb);
    expect(first).toMatchObject({ fetched: 3, failed: 1, retried: 0 });
    const failed = (await mailboxStatus(orm.em.fork(), mb)).counts;
    expect(failed.emails).toBe(2);
    expect(failed.failedMessages).toMatchObject({ retrying: 1, permanent: 0 });
    expect(Object.keys(failed.failedMessages.reasons)).toEqual([
      expect.stringMatching(new RegExp(`over the ${CAP}-byte limit`)) as string,
    ]);

    // The operator raises the cap; the next sync retries the due entry by id and stores it.
    const second = await runSyncNow(gmail.config, orm, silentLog, mb);
    expect(second).toMatchObject({ retried: 1, failed: 0 });
    const counts = (await mailboxStatus(orm.em.fork(), mb)).counts;
    expect(counts.emails).toBe(3);
    expect(counts.failedMessages).toEqual({ retrying: 0, permanent: 0, reasons: {} });

    const third = await runSyncNow(gmail.config, orm, silentLog, mb);
    expect(third).toMatchObject({ retried: 0, fetched: 0 });
  });

  it('keeps a message as permanently failed, with its reason, once its attempts are used', async ({
    orm,
    gmail,
  }) => {
    const owner = 'ben@ourco.com';
    seed(gmail, owner, [], ['dee']);
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const mb = await connectGmailMailbox(orm, gmail, ws, owner);

    expect(await runSyncNow(tight(gmail), orm, silentLog, mb)).toMatchObject({ failed: 1 });
    for (let retry = 1; retry <= 2; retry++) {
      const run = await runSyncNow(tight(gmail), orm, silentLog, mb);
      expect(run).toMatchObject({ retried: 1, failed: 1 });
    }
    const status = await mailboxStatus(orm.em.fork(), mb);
    expect(status.status).toBe('active');
    expect(status.counts.failedMessages).toMatchObject({ retrying: 0, permanent: 1 });
    expect(Object.keys(status.counts.failedMessages.reasons)[0]).toMatch(/over the 4000-byte/);

    // Attempts used up: a later sync, even with the cap raised, does not fetch it again.
    const before = fetches(gmail);
    const later = await runSyncNow(gmail.config, orm, silentLog, mb);
    expect(later).toMatchObject({ retried: 0, fetched: 0 });
    expect(fetches(gmail)).toBe(before);
    expect((await mailboxStatus(orm.em.fork(), mb)).counts.emails).toBe(0);
  });

  it('does not retry before the backoff delay is over', async ({ orm, gmail }) => {
    const owner = 'cat@ourco.com';
    seed(gmail, owner, ['eve'], ['fay']);
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const mb = await connectGmailMailbox(orm, gmail, ws, owner);
    const hourly = { MAILROOM_MESSAGE_RETRY_SECONDS: '3600' };

    expect(await runSyncNow(tight(gmail, hourly), orm, silentLog, mb)).toMatchObject({
      failed: 1,
    });
    const before = fetches(gmail);
    const next = await runSyncNow(parseConfig({ ...gmail.env, ...hourly }), orm, silentLog, mb);
    expect(next).toMatchObject({ retried: 0, fetched: 0 });
    expect(fetches(gmail)).toBe(before);
    const counts = (await mailboxStatus(orm.em.fork(), mb)).counts;
    expect(counts.emails).toBe(1);
    expect(counts.failedMessages).toMatchObject({ retrying: 1, permanent: 0 });
  });

  it('a provider refusing a retried message fails that message only, not the sync', async ({
    orm,
    gmail,
  }) => {
    const owner = 'eli@ourco.com';
    const [big] = seed(gmail, owner, [], ['ivy']);
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const mb = await connectGmailMailbox(orm, gmail, ws, owner);
    expect(await runSyncNow(tight(gmail), orm, silentLog, mb)).toMatchObject({ failed: 1 });

    seed(gmail, owner, ['jo'], []);
    const fired = injectFaults(gmail.emulator.faults, {
      path: `/messages/${big}$`,
      method: 'GET',
      status: 400,
    });
    const second = await runSyncNow(gmail.config, orm, silentLog, mb);
    expect(fired()).toBe(1);
    expect(second).toMatchObject({ status: 'active', retried: 1, failed: 1 });
    const counts = (await mailboxStatus(orm.em.fork(), mb)).counts;
    expect(counts.emails).toBe(1);
    expect(counts.failedMessages).toMatchObject({ retrying: 1, permanent: 0 });
    expect(Object.keys(counts.failedMessages.reasons)[0]).toMatch(/provider refused the message/);

    expect(await runSyncNow(gmail.config, orm, silentLog, mb)).toMatchObject({ retried: 1 });
    expect((await mailboxStatus(orm.em.fork(), mb)).counts.emails).toBe(2);
  });

  it('retries on Outlook too, by Graph message id', async ({ orm, graph }) => {
    const owner = 'dan@ourco.com';
    graph.emulator.store.mailbox(owner);
    for (const [name, body] of [
      ['gil', 'Short note.'],
      ['hal', 'A long proposal. '.repeat(400)],
    ] as const) {
      await graph.emulator.addMime(
        owner,
        'inbox',
        buildEml({
          from: `${name}@customer.example`,
          to: [owner],
          messageId: `<${name}@customer.example>`,
          body,
        }),
      );
    }
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const mb = await connectOutlookMailbox(orm, graph, ws, owner);

    expect(await runSyncNow(tight(graph), orm, silentLog, mb)).toMatchObject({ failed: 1 });
    expect(await runSyncNow(graph.config, orm, silentLog, mb)).toMatchObject({
      retried: 1,
      failed: 0,
    });
    const counts = (await mailboxStatus(orm.em.fork(), mb)).counts;
    expect(counts.emails).toBe(2);
    expect(counts.failedMessages).toEqual({ retrying: 0, permanent: 0, reasons: {} });
  });
});
