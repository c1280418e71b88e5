import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import { loadEmlFolder } from '../../emulators/google/load-fixtures.ts';
import type { WorkspaceExport } from '../../src/export/export-workspace.ts';
import { mailboxStatus } from '../../src/mailboxes/mailbox-status.ts';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog } from '../helpers/gmail-harness.ts';
import { connectOutlookMailbox } from '../helpers/graph-harness.ts';
import { exportOf } from '../helpers/ingest.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/mailbox/', import.meta.url));

type EmailRow = { providerMessageId: string; internetMessageId: string; deleted: boolean };

describe('Outlook sync through Graph delta, BullMQ and the real Graph SDK', () => {
  it('syncs Inbox and Sent Items, then changes, deletions, moves and an expired delta token', async ({
    orm,
    graph: g,
  }) => {
    const email = 'rep@contoso.com';
    const ws = await createWorkspace(orm, { domains: ['contoso.com'] });
    const mb = await connectOutlookMailbox(orm, g, ws, email);
    const inbox = [];
    for (let i = 0; i < 12; i++) {
      inbox.push(
        await g.emulator.addMime(
          email,
          'inbox',
          buildEml({
            from: `P${i} <p${i}@fabrikam${i % 3}.com>`,
            to: [email],
            messageId: `<o${i}@x>`,
          }),
        ),
      );
    }
    await g.emulator.addMime(
      email,
      'sentitems',
      buildEml({ from: email, to: ['Buyer Person <buyer@tailspin.com>'], messageId: '<sent1@x>' }),
    );
    await g.emulator.addMime(
      email,
      'junkemail',
      buildEml({ from: 'spam@spam.com', to: [email], messageId: '<junk@x>' }),
    );
    await g.emulator.addMime(
      email,
      'drafts',
      buildEml({ from: email, to: ['d@draft.com'], messageId: '<draft@x>' }),
    );

    const first = await runSyncNow(g.config, orm, silentLog, mb);
    expect(first).toMatchObject({ status: 'active', stage: 'incremental', fetched: 13 });
    expect(first.counters).toMatchObject({
      emailsStored: 13,
      peopleCreated: 13,
      companiesCreated: 4,
    });

    // New mail, a permanent delete, a move to Deleted Items, a move between synced folders.
    await g.emulator.addMime(
      email,
      'inbox',
      buildEml({ from: 'Late <late@fabrikam0.com>', to: [email], messageId: '<o12@x>' }),
    );
    g.emulator.store.delete(email, inbox[0]?.id ?? '');
    g.emulator.store.move(email, inbox[1]?.id ?? '', 'deleteditems');
    g.emulator.store.markRead(email, inbox[2]?.id ?? '', true);
    const second = await runSyncNow(g.config, orm, silentLog, mb);
    expect(second).toMatchObject({ fetched: 1, deleted: 2 });
    let rows = (await exportOf(orm, ws)).emails as EmailRow[];
    expect(rows).toHaveLength(14);
    expect(
      rows
        .filter((r) => r.deleted)
        .map((r) => r.internetMessageId)
        .sort(),
    ).toEqual(['<o0@x>', '<o1@x>']);

    // Expired delta tokens: a bounded resync that duplicates nothing.
    await g.emulator.addMime(
      email,
      'inbox',
      buildEml({ from: 'After <after@fabrikam1.com>', to: [email], messageId: '<o13@x>' }),
    );
    g.emulator.store.expireDeltaTokens(email);
    const third = await runSyncNow(g.config, orm, silentLog, mb);
    expect(third).toMatchObject({ resyncs: 1, fetched: 1 });
    const data = await exportOf(orm, ws);
    rows = data.emails as EmailRow[];
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => r.providerMessageId)).size).toBe(15);
    expect(data.activities).toHaveLength(15);
    const status = (await mailboxStatus(orm.em.fork(), mb)) as {
      status: string;
      cursors: { mail: string };
    };
    expect(JSON.parse(status.cursors.mail)).toEqual({
      inbox: expect.stringMatching(/^https:\/\/localhost:\d+\/v1\.0\/.+\$deltatoken=/) as string,
      sentitems: expect.stringMatching(/\$deltatoken=/) as string,
    });
  });

  it('a revoked grant marks the mailbox reauth_required', async ({ orm, graph: g }) => {
    const email = 'revoked@contoso.com';
    const ws = await createWorkspace(orm);
    const mb = await connectOutlookMailbox(orm, g, ws, email);
    g.emulator.identity.revoke(email);
    await expect(runSyncNow(g.config, orm, silentLog, mb)).rejects.toThrow(
      /needs to be reconnected/,
    );
    const status = (await mailboxStatus(orm.em.fork(), mb)) as {
      status: string;
      lastError: string;
    };
    expect(status).toMatchObject({
      status: 'reauth_required',
      lastError: expect.stringMatching(/invalid_grant/) as string,
    });
  });

  it('parity: the same mailbox through Gmail and through Outlook gives the same export', async ({
    orm,
    graph: g,
    gmail,
  }) => {
    const owner = 'dana@northwindtraders.com';
    const exports: WorkspaceExport[] = [];
    for (const provider of ['google', 'microsoft'] as const) {
      const ws = await createWorkspace(orm, {
        domains: ['northwindtraders.com'],
        blocklist: ['cheap-leads-4u.biz'],
      });
      if (provider === 'google') {
        await loadEmlFolder(gmail.emulator.store, owner, FIXTURES);
        const mb = await connectGmailMailbox(orm, gmail, ws, owner);
        await runSyncNow(gmail.config, orm, silentLog, mb);
      } else {
        const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.eml')).sort();
        for (const f of files) {
          const raw = await readFile(`${FIXTURES}${f}`);
          const head = raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
          const fromOwner = /^From:.*dana@northwindtraders\.com/im.test(head);
          await g.emulator.addMime(owner, fromOwner ? 'sentitems' : 'inbox', raw);
        }
        const mb = await connectOutlookMailbox(orm, g, ws, owner);
        await runSyncNow(g.config, orm, silentLog, mb);
      }
      exports.push(await exportOf(orm, ws));
    }
    // Provider ids, row ids and provider labels differ by nature; everything else must not.
    const omit = (rows: unknown[], keys: string[]) =>
      (rows as Record<string, unknown>[]).map((r) =>
        Object.fromEntries(Object.entries(r).filter(([k]) => !keys.includes(k))),
      );
    const strip = (e: WorkspaceExport) => ({
      people: omit(e.people, ['id', 'createdAt']),
      companies: omit(e.companies, ['id']),
      emails: omit(e.emails, ['id', 'providerMessageId', 'labels']).sort((a, b) =>
        String(a['internetMessageId']).localeCompare(String(b['internetMessageId'])),
      ),
      activities: e.activities,
    });
    const [viaGmail, viaOutlook] = exports.map(strip);
    expect(viaGmail?.emails.length).toBe(59);
    expect(viaOutlook).toEqual(viaGmail);
  });
});
