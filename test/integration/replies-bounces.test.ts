import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import type { WorkspaceExport } from '../../src/read-models/export.schema.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { exportOf, ingestRaw } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

/**
 * Issue 11 items 1 and 2 through ingest and PostgreSQL: EMAIL_REPLIED / `email.replied` and
 * EMAIL_BOUNCED / `email.bounced`, once each, whichever message is stored first.
 */
const OWNER = 'dana@northwind.com';
const COLLEAGUE = 'li@northwind.com';

async function outbox(orm: Orm, workspaceId: string, type: string) {
  return orm.em
    .fork()
    .execute<{ payload: Record<string, unknown> }[]>(
      'select payload from outbox_event where workspace_id = ? and type = ? order by id',
      [workspaceId, type],
    )
    .then((rows) => rows.map((r) => r.payload));
}

const ofType = (data: WorkspaceExport, type: string) =>
  data.activities.filter((a) => a.type === type);

const replied = (data: WorkspaceExport) =>
  ofType(data, 'EMAIL_REPLIED').map((a) => [
    a.personEmail,
    a.internetMessageId,
    a.inReplyToInternetMessageId,
    a.replySeconds,
  ]);

const ours = (messageId: string, to: string[], date = 'Mon, 05 Oct 2026 10:00:00 +0000') =>
  buildEml({ from: `Dana <${OWNER}>`, to, messageId, date, subject: 'Proposal' });

describe('reply detection', () => {
  it('logs a reply synced before the message it answers once both are in, and only once', async ({
    orm,
    pool,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mb = await createMailbox(orm, ws, OWNER);
    const reply = buildEml({
      from: 'Jane Doe <jane@acme.com>',
      to: [OWNER],
      subject: 'Re: Proposal',
      messageId: '<r1@acme.com>',
      inReplyTo: '<out1@northwind.com>',
      references: ['<out1@northwind.com>'],
      date: 'Mon, 05 Oct 2026 11:30:00 +0000',
    });
    await ingestRaw(orm, pool, ws, mb, [reply]);
    expect(replied(await exportOf(orm, ws))).toEqual([]);

    const sent = ours('<out1@northwind.com>', ['Jane Doe <jane@acme.com>']);
    await ingestRaw(orm, pool, ws, mb, [sent]);
    const data = await exportOf(orm, ws);
    expect(replied(data)).toEqual([
      ['jane@acme.com', '<r1@acme.com>', '<out1@northwind.com>', 5400],
    ]);
    expect(data.activities.map((a) => a.type).sort()).toEqual([
      'EMAIL_RECEIVED',
      'EMAIL_REPLIED',
      'EMAIL_SENT',
    ]);
    const sentId = data.emails.find((e) => e.internetMessageId === '<out1@northwind.com>')?.id;
    const replyId = data.emails.find((e) => e.internetMessageId === '<r1@acme.com>')?.id;
    expect(await outbox(orm, ws, 'email.replied')).toEqual([
      {
        emailId: replyId,
        mailboxId: mb,
        mailboxEmail: OWNER,
        internetMessageId: '<r1@acme.com>',
        threadKey: 'mid:<out1@northwind.com>',
        subject: 'Re: Proposal',
        sentAt: '2026-10-05T11:30:00.000Z',
        personEmail: 'jane@acme.com',
        companyDomain: 'acme.com',
        inReplyToInternetMessageId: '<out1@northwind.com>',
        inReplyToEmailId: sentId,
        replySeconds: 5400,
      },
    ]);

    // A resync of both, in either order, adds nothing.
    const again = await ingestRaw(orm, pool, ws, mb, [sent, reply]);
    expect(again.counters.emailsStored).toBe(0);
    const after = await exportOf(orm, ws);
    expect(after.activities).toEqual(data.activities);
    expect(await outbox(orm, ws, 'email.replied')).toHaveLength(1);
  });

  it('links a reply in one mailbox to the message another mailbox sent, once per reply', async ({
    orm,
    pool,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const dana = await createMailbox(orm, ws, OWNER);
    const li = await createMailbox(orm, ws, COLLEAGUE);
    // Bob answers his own earlier mail in a thread Dana wrote into: In-Reply-To is not ours, so
    // the answered message is the last of ours in References.
    const reply = buildEml({
      from: 'Bob <bob@client.com>',
      to: [COLLEAGUE],
      cc: [OWNER],
      subject: 'Re: Proposal',
      messageId: '<r2@client.com>',
      inReplyTo: '<b1@client.com>',
      references: ['<start@client.com>', '<out2@northwind.com>', '<b1@client.com>'],
      date: 'Tue, 06 Oct 2026 10:00:00 +0000',
    });
    // Li's copy first, then Dana's message, then Dana's copy of the reply.
    await ingestRaw(orm, pool, ws, li, [reply]);
    await ingestRaw(orm, pool, ws, dana, [ours('<out2@northwind.com>', ['bob@client.com'])]);
    await ingestRaw(orm, pool, ws, dana, [reply]);
    const data = await exportOf(orm, ws);
    expect(replied(data)).toEqual([
      ['bob@client.com', '<r2@client.com>', '<out2@northwind.com>', 86400],
    ]);
    const events = await outbox(orm, ws, 'email.replied');
    expect(events.map((e) => [e.mailboxEmail, e.inReplyToInternetMessageId])).toEqual([
      [COLLEAGUE, '<out2@northwind.com>'],
    ]);
  });

  it('never counts auto-replies, internal senders or bulk mail; a second reply counts again', async ({
    orm,
    pool,
  }) => {
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mb = await createMailbox(orm, ws, OWNER);
    const answer = (from: string, id: string, extra: Parameters<typeof buildEml>[0] = { from }) =>
      buildEml({
        ...extra,
        from,
        to: [OWNER],
        subject: extra.subject ?? 'Re: Proposal',
        messageId: id,
        inReplyTo: extra.inReplyTo ?? '<out3@northwind.com>',
        references: extra.references ?? ['<out3@northwind.com>'],
        date: 'Mon, 05 Oct 2026 12:00:00 +0000',
      });
    await ingestRaw(orm, pool, ws, mb, [
      ours('<out3@northwind.com>', ['Jane <jane@acme.com>', 'Away <away@acme.com>', COLLEAGUE]),
      answer('Away <away@acme.com>', '<auto@acme.com>', {
        from: '',
        subject: 'Automatic reply: Proposal',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
      answer(`Li <${COLLEAGUE}>`, '<internal@northwind.com>'),
      answer('News <news@acme.com>', '<bulk@acme.com>', {
        from: '',
        headers: { 'List-Id': '<news.acme.com>' },
      }),
      answer('Jane <jane@acme.com>', '<first@acme.com>'),
      answer('Jane <jane@acme.com>', '<second@acme.com>', {
        from: '',
        inReplyTo: '<first@acme.com>',
        references: ['<out3@northwind.com>', '<first@acme.com>'],
      }),
    ]);
    expect(replied(await exportOf(orm, ws))).toEqual([
      ['jane@acme.com', '<first@acme.com>', '<out3@northwind.com>', 7200],
      ['jane@acme.com', '<second@acme.com>', '<out3@northwind.com>', 7200],
    ]);
    expect(await outbox(orm, ws, 'email.replied')).toHaveLength(2);
  });

  it('logs a reply whose sender becomes a person only when our message is stored', async ({
    orm,
    pool,
  }) => {
    // Policy `sent`: received mail creates nobody, so the reply's sender is linked (and the reply
    // found) in the transaction that stores our message and creates its recipient.
    const ws = await createWorkspace(orm, { domains: ['northwind.com'] });
    const mb = await createMailbox(orm, ws, OWNER, { policy: 'sent' });
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({
        from: 'Omar <omar@harbor.io>',
        to: [OWNER],
        messageId: '<r4@harbor.io>',
        inReplyTo: '<out4@northwind.com>',
        date: 'Mon, 05 Oct 2026 10:00:10 +0000',
      }),
    ]);
    expect((await exportOf(orm, ws)).people).toEqual([]);
    await ingestRaw(orm, pool, ws, mb, [ours('<out4@northwind.com>', ['omar@harbor.io'])]);
    expect(replied(await exportOf(orm, ws))).toEqual([
      ['omar@harbor.io', '<r4@harbor.io>', '<out4@northwind.com>', 10],
    ]);
  });
});

const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));
const FAILED = [
  'bbbbvhvbbvkjbhfbvbvjhb@gmail.com',
  'bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com',
  'egyfefsdvsfvvhjsd@gmail.com',
  'kfhejkfbsjkjsbhds@gmail.com',
  'qfvhgsvhgsduiohncdhcvhsdfvsfygusd@gmail.com',
];

describe('bounce detection', () => {
  it('logs a real DSN synced before our message: EMAIL_BOUNCED per failed person, address marked', async ({
    orm,
    pool,
  }) => {
    // A Postfix DSN from the corpus; its returned message is ours once we store a message with
    // that Message-ID sent from this mailbox.
    const owner = 'rahul.chaudhari@ll.com';
    const ws = await createWorkspace(orm, { domains: ['ll.com'] });
    const mb = await createMailbox(orm, ws, owner);
    const dsn = await readFile(
      `${CORPUS}mikelmail__multipart_report_emails_multi_address_bounce1.eml`,
    );
    const original = buildEml({
      from: `Rahul Chaudhari <${owner}>`,
      to: FAILED,
      messageId: '<118707422.15521266992174819.JavaMail.root@lvmail01>',
      date: 'Tue, 23 Feb 2010 22:16:30 -0800',
    });
    await ingestRaw(orm, pool, ws, mb, [dsn]);
    expect(ofType(await exportOf(orm, ws), 'EMAIL_BOUNCED')).toEqual([]);

    await ingestRaw(orm, pool, ws, mb, [original]);
    const data = await exportOf(orm, ws);
    expect(
      ofType(data, 'EMAIL_BOUNCED').map((a) => [
        a.personEmail,
        a.internetMessageId,
        a.bouncedInternetMessageId,
        a.bounceRecipient,
        a.bounceStatus,
      ]),
    ).toEqual(
      FAILED.map((r) => [
        r,
        '<20100224061641.3E47A1BC025@lvmail01.LL.com>',
        '<118707422.15521266992174819.JavaMail.root@lvmail01>',
        r,
        '5.1.1',
      ]),
    );
    expect(data.people.map((p) => [p.email, p.bouncedEmails])).toEqual(
      FAILED.map((r) => [
        r,
        [{ email: r, status: '5.1.1', bouncedAt: '2010-02-24T06:16:41.000Z' }],
      ]),
    );
    const events = await outbox(orm, ws, 'email.bounced');
    expect(
      events.map((e) => [e.recipient, e.status, e.personEmail, e.bouncedInternetMessageId]),
    ).toEqual(
      FAILED.map((r) => [r, '5.1.1', r, '<118707422.15521266992174819.JavaMail.root@lvmail01>']),
    );

    // Again, in either order: nothing new.
    await ingestRaw(orm, pool, ws, mb, [original, dsn]);
    expect((await exportOf(orm, ws)).activities).toEqual(data.activities);
    expect(await outbox(orm, ws, 'email.bounced')).toHaveLength(FAILED.length);
  });

  it.for([
    // Text-only forms, read from the parser worker's main parse.
    [
      'sisimai__lhost-office365-01.eml',
      'sironeko@example.ed.jp',
      '<FFFFFFFF.EEEEEEEE@example.ed.jp>',
      'kijitora@example.com',
      '5.1.10',
    ],
    [
      'flanker__bounce_gmail-invalid-address.eml',
      'awfawdadfawkofawooowowow@gmail.com',
      '<CAKsfaBUUGqVZiaMrmH3TRPfq1odQPtM7Ey5YW1SgyJJRHtAjgw@mail.gmail.com>',
      'awfawfawfawfawfaw@someserverhere.com',
      '5.1.0',
    ],
  ] as const)(
    'logs %s (no delivery-status part) for our message',
    async ([file, owner, id, to, status], { orm, pool }) => {
      const ws = await createWorkspace(orm);
      const mb = await createMailbox(orm, ws, owner);
      await ingestRaw(orm, pool, ws, mb, [
        await readFile(`${CORPUS}${file}`),
        buildEml({ from: owner, to: [to], messageId: id, date: 'Thu, 29 Apr 2015 23:30:00 +0000' }),
      ]);
      const data = await exportOf(orm, ws);
      expect(
        ofType(data, 'EMAIL_BOUNCED').map((a) => [
          a.personEmail,
          a.bounceRecipient,
          a.bounceStatus,
        ]),
      ).toEqual([[to, to, status]]);
      expect(data.people.find((p) => p.email === to)?.bouncedEmails.map((b) => b.status)).toEqual([
        status,
      ]);
    },
  );

  it('ignores a DSN about a message that is not ours', async ({ orm, pool }) => {
    const owner = 'rahul.chaudhari@ll.com';
    const ws = await createWorkspace(orm, { domains: ['ll.com'] });
    const mb = await createMailbox(orm, ws, owner);
    const dsn = await readFile(
      `${CORPUS}mikelmail__multipart_report_emails_multi_address_bounce1.eml`,
    );
    // The same people, written to in another message.
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: owner, to: FAILED, messageId: '<other@ll.com>' }),
      dsn,
    ]);
    const data = await exportOf(orm, ws);
    expect(ofType(data, 'EMAIL_BOUNCED')).toEqual([]);
    expect(data.people.every((p) => p.bouncedEmails.length === 0)).toBe(true);
    expect(await outbox(orm, ws, 'email.bounced')).toEqual([]);
  });
});
