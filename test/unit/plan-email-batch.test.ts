import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/crm/classify-message.ts';
import { DEFAULT_ENRICHMENT_SETTINGS } from '../../src/crm/enrichment-settings.ts';
import { buildMailboxContext } from '../../src/crm/mailbox-context.ts';
import { EVENT_DATA } from '../../src/events/catalog.ts';
import {
  countSkips,
  emailEvents,
  planEmailBatch,
  type ClassifiedItem,
} from '../../src/ingest/plan-email-batch.ts';
import type { NormalizedMessage } from '../../src/mail/normalized-message.ts';

const WS = '00000000-0000-4000-8000-000000000001';
const MBX = '00000000-0000-4000-8000-000000000002';
const target = { workspaceId: WS, mailboxId: MBX, mailboxEmail: 'dana@northwind.com' };
const ctx = buildMailboxContext({
  mailboxEmail: 'dana@northwind.com',
  aliases: [],
  workspaceInternalDomains: ['northwind.com'],
  blocklist: [],
  settings: DEFAULT_ENRICHMENT_SETTINGS,
});

const message = (m: Partial<NormalizedMessage>): NormalizedMessage => ({
  internetMessageId: '<m@x>',
  inReplyTo: null,
  references: [],
  subject: 'Hello',
  sentAt: '2026-01-05T10:00:00.000Z',
  from: [{ address: 'jane@acme.com', name: 'Jane Doe' }],
  to: [{ address: 'dana@northwind.com', name: '' }],
  cc: [],
  bcc: [],
  replyTo: [],
  snippet: '',
  textBody: '',
  textBodyTruncated: false,
  htmlBody: '',
  htmlBodyTruncated: false,
  attachments: [],
  automation: { bulk: false, autoReply: false, dsn: false, markers: [] },
  invitation: null,
  bounce: null,
  sizeBytes: 100,
  ...m,
});

const item = (id: string, m: Partial<NormalizedMessage>, sent = false): ClassifiedItem => {
  const msg = message(m);
  return {
    item: { providerMessageId: id, providerThreadId: null, labels: [], message: msg },
    classified: classifyMessage(msg, ctx, sent),
  };
};

describe('planEmailBatch', () => {
  it('plans one email per provider message, its participants and who it creates', () => {
    const plan = planEmailBatch(WS, MBX, [
      item('a', {}),
      item('a', {}),
      item(
        'b',
        {
          internetMessageId: '<n@x>',
          from: [{ address: 'dana@northwind.com', name: 'Dana' }],
          to: [{ address: 'bob@client.io', name: 'Bob Ray' }],
        },
        true,
      ),
    ]);
    expect(plan).toHaveLength(2);
    expect(plan.map((p) => p.row.id)).toEqual([...plan.map((p) => p.row.id)].sort());
    const received = plan.find((p) => p.row.provider_message_id === 'a');
    expect(received?.participants.map((p) => [p.role, p.address])).toEqual([
      ['from', 'jane@acme.com'],
      ['to', 'dana@northwind.com'],
    ]);
    expect(received?.candidates).toEqual([
      {
        address: 'jane@acme.com',
        name: { firstName: 'Jane', lastName: 'Doe' },
        companyDomain: 'acme.com',
        nameRank: 2,
        observedAt: '2026-01-05T10:00:00.000Z',
      },
    ]);
    const sent = plan.find((p) => p.row.provider_message_id === 'b');
    expect(sent?.candidates.map((c) => [c.address, c.nameRank])).toEqual([['bob@client.io', 1]]);
  });

  it('counts why stored messages and participants stay out of the CRM', () => {
    const plan = planEmailBatch(WS, MBX, [
      item('a', {
        automation: { bulk: true, autoReply: false, dsn: false, markers: ['list_id'] },
      }),
    ]);
    const counts = countSkips(plan);
    expect(Object.values(counts.messagesSkipped)).toEqual([1]);
  });
});

describe('emailEvents', () => {
  it('announces CRM mail with the person it is about once linked, and checks the contract', () => {
    const plan = planEmailBatch(WS, MBX, [item('a', {})]);
    const emailId = plan[0]?.row.id ?? '';
    const events = emailEvents(target, plan, [
      { emailId, role: 'to', position: 0, address: 'dana@northwind.com', companyDomain: null },
      { emailId, role: 'from', position: 0, address: 'jane@acme.com', companyDomain: 'acme.com' },
    ]);
    expect(events).toEqual([
      {
        type: 'email.received',
        workspaceId: WS,
        aggregateId: emailId,
        occurrence: 'mid:<m@x>',
        data: {
          emailId,
          mailboxId: MBX,
          mailboxEmail: 'dana@northwind.com',
          internetMessageId: '<m@x>',
          threadKey: 'mid:<m@x>',
          subject: 'Hello',
          sentAt: '2026-01-05T10:00:00.000Z',
          personEmail: 'jane@acme.com',
          companyDomain: 'acme.com',
        },
      },
    ]);
    expect(() => EVENT_DATA['email.received'].parse(events[0]?.data)).not.toThrow();
    expect(emailEvents(target, plan, [])[0]?.data).toMatchObject({
      personEmail: null,
      companyDomain: null,
    });
  });

  it('announces nothing for mail kept out of the CRM', () => {
    const plan = planEmailBatch(WS, MBX, [
      item('a', {
        automation: { bulk: true, autoReply: false, dsn: false, markers: ['list_id'] },
      }),
    ]);
    expect(emailEvents(target, plan, [])).toEqual([]);
  });
});
