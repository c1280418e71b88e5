import { describe, expect } from 'vitest';
import { runSyncNow } from '../../src/app/run-sync-now.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { connectGmailMailbox, silentLog } from '../helpers/gmail-harness.ts';
import { connectOutlookMailbox } from '../helpers/graph-harness.ts';
import { activities, exportOf, people } from '../helpers/ingest.ts';
import { createWorkspace } from '../helpers/test-orm.ts';

/**
 * Issue 10 item 5: one message from an internationalised domain reaches two reps of a workspace,
 * one on Gmail, one on Outlook. The Gmail copy came over SMTPUTF8 (raw UTF-8 headers, RFC 6532);
 * the Outlook copy passed a server that downgraded it (punycode domain, RFC 2047 name). Both are
 * one logical email with one Message-ID, and the Outlook rep's reply (raw UTF-8 In-Reply-To) is
 * in its thread.
 */
const IDN = 'xn--bcher-beispiel-gsb.de';
const SENDER = `zhang.wei@${IDN}`;

describe('raw UTF-8 headers through Gmail and Outlook', () => {
  it('gives the same Message-ID, one logical email and one thread on both providers', async ({
    orm,
    gmail,
    graph,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['ourco.com'] });
    const repGmail = 'ana@ourco.com';
    const repOutlook = 'ben@ourco.com';
    const date = 'Mon, 05 Oct 2026 10:00:00 +0000';

    gmail.emulator.store.addMessage(
      repGmail,
      buildEml({
        from: '张伟 <zhang.wei@bücher-beispiel.de>',
        to: [repGmail, repOutlook],
        subject: 'Angebot für Bücher',
        messageId: '<angebot.1@bücher-beispiel.de>',
        date,
      }),
    );
    graph.emulator.store.mailbox(repOutlook);
    await graph.emulator.addMime(
      repOutlook,
      'inbox',
      buildEml({
        from: `=?UTF-8?B?${Buffer.from('张伟').toString('base64')}?= <${SENDER}>`,
        to: [repGmail, repOutlook],
        subject: '=?UTF-8?Q?Angebot_f=C3=BCr_B=C3=BCcher?=',
        messageId: `<angebot.1@${IDN}>`,
        date,
      }),
    );
    await graph.emulator.addMime(
      repOutlook,
      'sentitems',
      buildEml({
        from: `Ben <${repOutlook}>`,
        to: ['张伟 <zhang.wei@bücher-beispiel.de>'],
        subject: 'Re: Angebot für Bücher',
        messageId: '<reply.1@ourco.com>',
        inReplyTo: '<angebot.1@bücher-beispiel.de>',
        references: ['<angebot.1@bücher-beispiel.de>'],
        date: 'Mon, 05 Oct 2026 11:00:00 +0000',
      }),
    );

    const gmailBox = await connectGmailMailbox(orm, gmail, ws, repGmail);
    const outlookBox = await connectOutlookMailbox(orm, graph, ws, repOutlook);
    await runSyncNow(gmail.config, orm, silentLog, gmailBox);
    await runSyncNow(graph.config, orm, silentLog, outlookBox);

    const e = await exportOf(orm, ws);
    const byMailbox = (mailbox: string, id: string) =>
      e.emails.find((m) => m.mailboxEmail === mailbox && m.internetMessageId === id);
    const viaGmail = byMailbox(repGmail, `<angebot.1@${IDN}>`);
    const viaOutlook = byMailbox(repOutlook, `<angebot.1@${IDN}>`);
    const reply = byMailbox(repOutlook, '<reply.1@ourco.com>');
    expect(e.emails).toHaveLength(3);
    expect(viaGmail).toMatchObject({ from: SENDER, subject: 'Angebot für Bücher' });
    expect(viaOutlook).toMatchObject({ from: SENDER, subject: 'Angebot für Bücher' });
    expect(reply).toMatchObject({ direction: 'outbound', to: [SENDER] });
    expect(reply?.threadKey).toBe(viaGmail?.threadKey);
    expect(viaOutlook?.threadKey).toBe(viaGmail?.threadKey);

    // One person, named in Chinese, and one activity per logical email.
    const sender = people(e).filter((p) => p.email === SENDER);
    expect(sender).toHaveLength(1);
    expect(`${sender[0]?.firstName} ${sender[0]?.lastName}`).toContain('张');
    const senderActivities = activities(e).filter((a) => a.personEmail === SENDER);
    expect(senderActivities.map((a) => [a.type, a.internetMessageId]).sort()).toEqual([
      ['EMAIL_RECEIVED', `<angebot.1@${IDN}>`],
      ['EMAIL_SENT', '<reply.1@ourco.com>'],
    ]);
  });
});
