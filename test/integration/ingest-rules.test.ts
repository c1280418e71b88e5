import { describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { activities, companies, exportOf, ingestRaw, people } from '../helpers/ingest.ts';
import { createMailbox, createWorkspace } from '../helpers/test-orm.ts';

const OWNER = 'dana@northwind.com';

async function setup(orm: Orm, opts: { blocklist?: string[] } = {}) {
  const ws = await createWorkspace(orm, { domains: ['northwind.com'], ...opts });
  const mb = await createMailbox(orm, ws, OWNER, { aliases: ['d.whitfield@northwind.com'] });
  return { ws, mb };
}

describe('enrichment rules, end to end through PostgreSQL', () => {
  it('creates people and companies only for the senders product.md allows', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm, { blocklist: ['spammer@evil.com', 'blocked.org'] });
    const mails = [
      buildEml({
        from: '"Okafor, James" <J.Okafor@Mail.Harborview.co.uk>',
        to: [OWNER],
        messageId: '<m1@x>',
      }),
      buildEml({ from: 'Priya Raman <priya@gmail.com>', to: [OWNER], messageId: '<m2@x>' }),
      buildEml({
        from: '"m.keller@kestrel.de" <m.keller@kestrel.de>',
        to: [OWNER],
        messageId: '<m3@x>',
      }),
      buildEml({
        from: '=?UTF-8?Q?Zo=C3=AB_=C3=85ngstr=C3=B6m?= <zoe@veridian.io>',
        to: [OWNER],
        messageId: '<m4@x>',
      }),
      buildEml({ from: 'No Reply <noreply@vendor.com>', to: [OWNER], messageId: '<m5@x>' }),
      buildEml({
        from: 'News <news@brand.com>',
        to: [OWNER],
        messageId: '<m6@x>',
        headers: { 'List-Id': '<news.brand.com>' },
      }),
      buildEml({
        from: 'Ann Bulk <ann@bulk.com>',
        to: [OWNER],
        messageId: '<m7@x>',
        headers: { 'List-Unsubscribe': '<mailto:u@bulk.com>', Precedence: 'bulk' },
      }),
      buildEml({
        from: 'Sam Esp <sam@esp-human.com>',
        to: [OWNER],
        messageId: '<m8@x>',
        headers: { 'List-Unsubscribe': '<mailto:u@esp.com>' },
      }),
      buildEml({
        from: 'Away <away@client.com>',
        to: [OWNER],
        subject: 'Automatic reply: hi',
        messageId: '<m9@x>',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
      buildEml({ from: 'Colleague <li@eu.northwind.com>', to: [OWNER], messageId: '<m10@x>' }),
      buildEml({ from: 'Spam <spammer@evil.com>', to: [OWNER], messageId: '<m11@x>' }),
      buildEml({ from: 'Blocked <x@sub.blocked.org>', to: [OWNER], messageId: '<m12@x>' }),
      buildEml({
        from: 'Eve Cc-Sender <eve@acme.com>',
        to: [OWNER],
        cc: ['Carl Cc <carl@othercorp.com>'],
        messageId: '<m13@x>',
      }),
      buildEml({
        from: `Dana <${OWNER}>`,
        to: ['Buyer One <buyer1@client.com>'],
        cc: ['li@northwind.com', 'Fin Person <fin@client.com>'],
        messageId: '<m14@x>',
      }),
      buildEml({
        from: 'Dana <d.whitfield@northwind.com>',
        to: ['New Lead <lead@prospect.com>'],
        messageId: '<m15@x>',
      }),
    ];
    const result = await ingestRaw(orm, pool, ws, mb, mails);
    expect(result.outcomes.every((o) => o.status === 'stored')).toBe(true);

    const data = await exportOf(orm, ws);
    expect(people(data).map((p) => [p.email, p.firstName, p.lastName, p.companyDomain])).toEqual([
      ['buyer1@client.com', 'Buyer', 'One', 'client.com'],
      ['eve@acme.com', 'Eve', 'Cc-Sender', 'acme.com'],
      ['fin@client.com', 'Fin', 'Person', 'client.com'],
      ['j.okafor@mail.harborview.co.uk', 'James', 'Okafor', 'harborview.co.uk'],
      ['lead@prospect.com', 'New', 'Lead', 'prospect.com'],
      ['m.keller@kestrel.de', '', '', 'kestrel.de'],
      ['priya@gmail.com', 'Priya', 'Raman', null],
      ['sam@esp-human.com', 'Sam', 'Esp', 'esp-human.com'],
      ['zoe@veridian.io', 'Zoë', 'Ångström', 'veridian.io'],
    ]);
    expect(companies(data).map((c) => [c.domain, c.name])).toEqual([
      ['acme.com', 'Acme'],
      ['client.com', 'Client'],
      ['esp-human.com', 'Esp-human'],
      ['harborview.co.uk', 'Harborview'],
      ['kestrel.de', 'Kestrel'],
      ['prospect.com', 'Prospect'],
      ['veridian.io', 'Veridian'],
    ]);
    const acts = activities(data).map((a) => `${a.type} ${a.personEmail} ${a.internetMessageId}`);
    expect(acts.sort()).toEqual(
      [
        'EMAIL_RECEIVED j.okafor@mail.harborview.co.uk <m1@x>',
        'EMAIL_RECEIVED priya@gmail.com <m2@x>',
        'EMAIL_RECEIVED m.keller@kestrel.de <m3@x>',
        'EMAIL_RECEIVED zoe@veridian.io <m4@x>',
        'EMAIL_RECEIVED sam@esp-human.com <m8@x>',
        'EMAIL_RECEIVED eve@acme.com <m13@x>',
        'EMAIL_SENT buyer1@client.com <m14@x>',
        'EMAIL_SENT fin@client.com <m14@x>',
        'EMAIL_SENT lead@prospect.com <m15@x>',
      ].sort(),
    );
    const emails = data.emails as {
      internetMessageId: string;
      direction: string;
      participants: { email: string; personEmail: string | null }[];
    }[];
    expect(emails).toHaveLength(15);
    const m14 = emails.find((e) => e.internetMessageId === '<m14@x>');
    expect(m14?.direction).toBe('outbound');
    expect(m14?.participants).toEqual([
      expect.objectContaining({ email: OWNER, personEmail: null }),
      expect.objectContaining({ email: 'buyer1@client.com', personEmail: 'buyer1@client.com' }),
      expect.objectContaining({ email: 'li@northwind.com', personEmail: null }),
      expect.objectContaining({ email: 'fin@client.com', personEmail: 'fin@client.com' }),
    ]);
  });

  it('re-ingesting changes nothing, and events are written once', async ({ orm, pool }) => {
    const { ws, mb } = await setup(orm);
    const mails = [
      buildEml({ from: 'A Person <a@alpha.com>', to: [OWNER], messageId: '<i1@x>' }),
      buildEml({ from: 'B Person <b@beta.com>', to: [OWNER], messageId: '<i2@x>' }),
      buildEml({
        from: `Dana <${OWNER}>`,
        to: ['a@alpha.com'],
        messageId: '<i3@x>',
        inReplyTo: '<i1@x>',
        references: ['<i1@x>'],
      }),
    ];
    const first = await ingestRaw(orm, pool, ws, mb, mails);
    const before = await exportOf(orm, ws);
    const second = await ingestRaw(orm, pool, ws, mb, mails);
    const after = await exportOf(orm, ws);
    expect(after).toEqual(before);
    expect(first.counters).toMatchObject({
      emailsStored: 3,
      peopleCreated: 2,
      companiesCreated: 2,
      activitiesCreated: 3,
    });
    expect(second.counters).toMatchObject({
      emailsStored: 0,
      emailsAlreadyStored: 3,
      peopleCreated: 0,
      activitiesCreated: 0,
    });
    const threadKeys = (after.emails as { threadKey: string }[]).map((e) => e.threadKey);
    expect(new Set(threadKeys)).toEqual(new Set(['mid:<i1@x>', 'mid:<i2@x>']));
    const events = await orm.em
      .fork()
      .execute<{ type: string; n: string }[]>(
        'select type, count(*) as n from outbox_event where workspace_id = ? group by type order by type',
        [ws],
      );
    expect(events.map((e) => [e.type, Number(e.n)])).toEqual([
      ['company.created', 2],
      ['email.received', 2],
      ['email.sent', 1],
      ['mailbox.connected', 1],
      ['person.created', 2],
    ]);
    const payloads = await orm.em.fork().execute<
      {
        type: string;
        aggregate_type: string;
        dedupe_key: string;
        payload: Record<string, unknown>;
      }[]
    >(
      `select type, aggregate_type, dedupe_key, payload from outbox_event
        where workspace_id = ? order by type, dedupe_key`,
      [ws],
    );
    const emailEvents = payloads.filter((e) => e.type.startsWith('email.'));
    expect(emailEvents.map((e) => [e.type, e.aggregate_type, e.dedupe_key])).toEqual([
      ['email.received', 'email', `email.received:${ws}:mid:<i1@x>`],
      ['email.received', 'email', `email.received:${ws}:mid:<i2@x>`],
      ['email.sent', 'email', `email.sent:${ws}:mid:<i3@x>`],
    ]);
    expect(emailEvents.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        mailboxId: mb,
        mailboxEmail: OWNER,
        internetMessageId: '<i1@x>',
        threadKey: 'mid:<i1@x>',
        personEmail: 'a@alpha.com',
        companyDomain: 'alpha.com',
      }),
      expect.objectContaining({
        internetMessageId: '<i2@x>',
        personEmail: 'b@beta.com',
        companyDomain: 'beta.com',
      }),
      expect.objectContaining({
        internetMessageId: '<i3@x>',
        threadKey: 'mid:<i1@x>',
        personEmail: 'a@alpha.com',
        companyDomain: 'alpha.com',
      }),
    ]);
    expect(
      payloads
        .filter((e) => !e.type.startsWith('email.'))
        .map((e) => [e.type, e.aggregate_type, e.payload.email ?? e.payload.domain])
        .sort(),
    ).toEqual([
      ['company.created', 'company', 'alpha.com'],
      ['company.created', 'company', 'beta.com'],
      ['mailbox.connected', 'mailbox', OWNER],
      ['person.created', 'person', 'a@alpha.com'],
      ['person.created', 'person', 'b@beta.com'],
    ]);
  });

  it('one Message-ID seen in two mailboxes is one logical email for activities', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm);
    const other = await createMailbox(orm, ws, 'li@northwind.com');
    const mail = buildEml({
      from: 'Cara Client <cara@client.io>',
      to: [OWNER, 'li@northwind.com'],
      messageId: '<shared@client.io>',
    });
    await ingestRaw(orm, pool, ws, mb, [mail]);
    await ingestRaw(orm, pool, ws, other, [mail]);
    const data = await exportOf(orm, ws);
    expect(data.emails).toHaveLength(2);
    expect(people(data).map((p) => p.email)).toEqual(['cara@client.io']);
    expect(activities(data).map((a) => a.type)).toEqual(['EMAIL_RECEIVED']);
  });

  it('links earlier mail to a person created later (order does not matter)', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm);
    // Carl is only cc'd on received mail (no person), then Dana writes to him (person created).
    const received = buildEml({
      from: 'Eve <eve@acme.com>',
      to: [OWNER],
      cc: ['Carl <carl@acme.com>'],
      messageId: '<o1@x>',
    });
    const sent = buildEml({
      from: OWNER,
      to: ['Carl <carl@acme.com>'],
      messageId: '<o2@x>',
      date: 'Tue, 06 Oct 2026 10:00:00 +0000',
    });
    await ingestRaw(orm, pool, ws, mb, [received]);
    await ingestRaw(orm, pool, ws, mb, [sent]);
    const data = await exportOf(orm, ws);
    const first = (
      data.emails as {
        internetMessageId: string;
        participants: { email: string; personEmail: string | null }[];
      }[]
    ).find((e) => e.internetMessageId === '<o1@x>');
    expect(first?.participants.find((p) => p.email === 'carl@acme.com')?.personEmail).toBe(
      'carl@acme.com',
    );
  });

  it('never overwrites fields a user edited, and fills names sync may fill', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm);
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: 'rita@rio.com', to: [OWNER], messageId: '<e1@x>' }),
    ]);
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: 'Rita Rio <rita@rio.com>', to: [OWNER], messageId: '<e2@x>' }),
    ]);
    expect(people(await exportOf(orm, ws))[0]).toMatchObject({
      firstName: 'Rita',
      lastName: 'Rio',
    });

    await orm.em
      .fork()
      .execute(
        `update person set first_name = 'Margarita', last_name = '', edited_fields = '{firstName,lastName}' where workspace_id = ?`,
        [ws],
      );
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: 'Someone Else <rita@rio.com>', to: [OWNER], messageId: '<e3@x>' }),
    ]);
    expect(people(await exportOf(orm, ws))[0]).toMatchObject({
      firstName: 'Margarita',
      lastName: '',
    });
  });

  it('matches an existing person on any of their addresses, case-insensitively', async ({
    orm,
    pool,
  }) => {
    const { ws, mb } = await setup(orm);
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: 'Max <max@mega.com>', to: [OWNER], messageId: '<a1@x>' }),
    ]);
    const em = orm.em.fork();
    const [row] = await em.execute<{ id: string }[]>(
      'select id from person where workspace_id = ?',
      [ws],
    );
    await em.execute('insert into person_email (workspace_id, email, person_id) values (?, ?, ?)', [
      ws,
      'max.private@gmail.com',
      row?.id,
    ]);
    await ingestRaw(orm, pool, ws, mb, [
      buildEml({ from: 'Max <Max.Private@GMAIL.com>', to: [OWNER], messageId: '<a2@x>' }),
    ]);
    const data = await exportOf(orm, ws);
    expect(people(data)).toHaveLength(1);
    expect(activities(data).map((a) => a.personEmail)).toEqual(['max@mega.com', 'max@mega.com']);
  });

  it('a name does not depend on the order mail arrives in', async ({ orm, pool }) => {
    const sent = buildEml({
      from: OWNER,
      to: ['Taro Yamada <taro@sakura.co.jp>'],
      messageId: '<n1@x>',
      date: 'Tue, 06 Oct 2026 10:00:00 +0000',
    });
    const own = buildEml({
      from: '=?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@sakura.co.jp>',
      to: [OWNER],
      messageId: '<n2@x>',
      date: 'Mon, 05 Oct 2026 10:00:00 +0000',
    });
    const older = buildEml({
      from: 'T. Yamada <taro@sakura.co.jp>',
      to: [OWNER],
      messageId: '<n0@x>',
      date: 'Fri, 02 Oct 2026 10:00:00 +0000',
    });
    const names: string[] = [];
    for (const order of [
      [sent, own, older],
      [older, own, sent],
      [own, sent, older],
    ]) {
      const { ws, mb } = await setup(orm);
      for (const mail of order) {
        await ingestRaw(orm, pool, ws, mb, [mail]);
      }
      const [person] = people(await exportOf(orm, ws));
      names.push(`${person?.firstName ?? ''} ${person?.lastName ?? ''}`);
    }
    // His own From header beats how others address him; among his own, the latest message wins.
    expect(names).toEqual(['山田 太郎', '山田 太郎', '山田 太郎']);
  });
});
