import { describe, expect, it } from 'vitest';
import { bounceAddresses, detectBounces, type StoredBounce } from '../../src/crm/bounce-rules.ts';
import type { EmailFacts } from '../../src/crm/email-facts.ts';
import {
  answeredMessage,
  detectReplies,
  mayCountAsReply,
  replySeconds,
  type OurMessage,
  type ReplyCandidate,
} from '../../src/crm/reply-rules.ts';
import { checkEvent } from '../../src/events/catalog.ts';
import { bounceEvents, replyEvents } from '../../src/ingest/plan-reply-events.ts';
import type { BounceRecipient } from '../../src/mail/bounce/bounce-report.ts';

/** Issue 11 items 1 and 2: the pure reply and bounce rules and the events they plan. */
const WS = '00000000-0000-4000-8000-000000000001';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const facts = (emailId: string, internetMessageId: string): EmailFacts => ({
  emailId,
  mailboxId: id(90),
  mailboxEmail: 'dana@northwind.com',
  internetMessageId,
  threadKey: 'mid:<out@n>',
  subject: 'Re: Proposal',
  sentAt: '2026-10-05T12:00:00.000Z',
});

const candidate = (over: Partial<ReplyCandidate> = {}): ReplyCandidate => ({
  emailId: id(10),
  logicalKey: 'mid:<r@acme>',
  inReplyTo: '<out@n>',
  references: ['<out@n>'],
  sentAt: '2026-10-05T12:00:00.000Z',
  occurredAt: '2026-10-05 12:00:00+00',
  crmSkipped: false,
  deleted: false,
  automated: { bulk: false, autoReply: false, dsn: false },
  isBounce: false,
  sender: { personId: id(50), companyId: null, address: 'jane@acme.com', companyDomain: null },
  facts: facts(id(10), '<r@acme>'),
  ...over,
});

const our = (n: number, messageId: string, sentAt = '2026-10-05T10:00:00.000Z'): OurMessage => ({
  emailId: id(n),
  internetMessageId: messageId,
  sentAt,
});
const oursOf = (...messages: OurMessage[]) =>
  new Map(messages.map((m) => [m.internetMessageId, m]));

describe('reply rules', () => {
  it('answers In-Reply-To when ours, else the last of ours in References', () => {
    const ours = oursOf(our(1, '<a@n>'), our(2, '<b@n>'));
    expect(answeredMessage('<b@n>', ['<a@n>', '<b@n>'], ours)?.emailId).toBe(id(2));
    expect(answeredMessage('<a@n>', ['<a@n>', '<b@n>'], ours)?.emailId).toBe(id(1));
    expect(answeredMessage('<x@acme>', ['<a@n>', '<b@n>', '<x@acme>'], ours)?.emailId).toBe(id(2));
    expect(answeredMessage(null, ['<a@n>', '<x@acme>'], ours)?.emailId).toBe(id(1));
    expect(answeredMessage('<x@acme>', ['<y@acme>'], ours)).toBeNull();
  });

  it.each([
    ['an auto-reply', { automated: { bulk: false, autoReply: true, dsn: false } }],
    [
      'a delivery report by its markers',
      { automated: { bulk: false, autoReply: false, dsn: true } },
    ],
    ['a delivery report by its content', { isBounce: true }],
    ['bulk mail', { automated: { bulk: true, autoReply: false, dsn: false } }],
    ['mail kept out of the CRM', { crmSkipped: true }],
    ['a deleted message', { deleted: true }],
    ['a sender who is no person (internal, role, not linked)', { sender: null }],
    ['a message that names no other', { inReplyTo: null, references: [] }],
  ] as const)('never counts %s, whatever the skip settings', (_name, over) => {
    const c = candidate(over);
    expect(mayCountAsReply(c)).toBe(false);
    expect(detectReplies([c], oursOf(our(1, '<out@n>')))).toEqual([]);
  });

  it('gives one reply per logical email, keyed on person and reply, with its delay', () => {
    const copies = [candidate({ emailId: id(12) }), candidate({ emailId: id(11) })];
    const second = candidate({
      emailId: id(13),
      logicalKey: 'mid:<r2@acme>',
      inReplyTo: '<r@acme>',
      references: ['<out@n>', '<r@acme>'],
      sentAt: '2026-10-06T10:00:00.000Z',
    });
    const replies = detectReplies([...copies, second], oursOf(our(1, '<out@n>')));
    expect(
      replies.map((r) => [r.reply.emailId, r.answered.emailId, r.replySeconds, r.key]),
    ).toEqual([
      [id(11), id(1), 7200, `EMAIL_REPLIED:${id(50)}:mid:<r@acme>`],
      [id(13), id(1), 86400, `EMAIL_REPLIED:${id(50)}:mid:<r2@acme>`],
    ]);
  });

  it('measures the delay in whole seconds, none without dates, never below zero', () => {
    expect(replySeconds('2026-10-05T10:00:30.400Z', '2026-10-05T10:00:00.000Z')).toBe(30);
    expect(replySeconds(null, '2026-10-05T10:00:00.000Z')).toBeNull();
    expect(replySeconds('2026-10-05T09:59:00.000Z', '2026-10-05T10:00:00.000Z')).toBe(0);
  });

  it('plans email.replied events that satisfy the catalog', () => {
    const [reply] = detectReplies([candidate()], oursOf(our(1, '<out@n>')));
    const events = replyEvents(WS, reply ? [reply] : []);
    expect(events.map(checkEvent)).toEqual([
      {
        type: 'email.replied',
        workspaceId: WS,
        aggregateId: id(10),
        occurrence: 'mid:<r@acme>',
        data: {
          ...facts(id(10), '<r@acme>'),
          personEmail: 'jane@acme.com',
          companyDomain: null,
          inReplyToInternetMessageId: '<out@n>',
          inReplyToEmailId: id(1),
          replySeconds: 7200,
        },
      },
    ]);
  });
});

const recipient = (over: Partial<BounceRecipient>): BounceRecipient => ({
  recipient: 'x@acme.com',
  originalRecipient: null,
  action: 'failed',
  status: '5.1.1',
  diagnosticCode: null,
  remoteMta: null,
  ...over,
});

const bounce = (emailId: string, recipients: BounceRecipient[]): StoredBounce => ({
  emailId,
  logicalKey: 'mid:<dsn@mta>',
  occurredAt: '2026-10-05 10:05:00+00',
  report: { kind: 'dsn', recipients, originalMessageId: '<out@n>', reportingMta: null },
  original: our(1, '<out@n>'),
  facts: facts(emailId, '<dsn@mta>'),
});

describe('bounce rules', () => {
  const people = new Map([
    ['jane@acme.com', { personId: id(50), companyId: id(60), companyDomain: 'acme.com' }],
    ['old@acme.com', { personId: id(51), companyId: null, companyDomain: null }],
  ]);

  it('bounces failed recipients only, for the person of the address we wrote to', () => {
    const report = bounce(id(20), [
      recipient({ recipient: 'jane@acme.com' }),
      recipient({ recipient: 'late@acme.com', action: 'delayed', status: '4.4.1' }),
      recipient({ recipient: 'new@forward.example', originalRecipient: 'old@acme.com' }),
      recipient({ recipient: 'nobody@acme.com', status: null }),
    ]);
    const found = detectBounces([report, bounce(id(19), report.report.recipients)], people);
    expect(found.map((b) => [b.bounce.emailId, b.recipient, b.address, b.status, b.key])).toEqual([
      [
        id(19),
        'jane@acme.com',
        'jane@acme.com',
        '5.1.1',
        `EMAIL_BOUNCED:${id(50)}:mid:<dsn@mta>:jane@acme.com`,
      ],
      [
        id(19),
        'new@forward.example',
        'old@acme.com',
        '5.1.1',
        `EMAIL_BOUNCED:${id(51)}:mid:<dsn@mta>:new@forward.example`,
      ],
      [id(19), 'nobody@acme.com', null, null, null],
    ]);
    expect(bounceAddresses([report]).sort()).toEqual(
      ['jane@acme.com', 'new@forward.example', 'nobody@acme.com', 'old@acme.com'].sort(),
    );
  });

  it('plans email.bounced events that satisfy the catalog, personEmail null for nobody', () => {
    const found = detectBounces(
      [bounce(id(20), [recipient({ recipient: 'jane@acme.com' }), recipient({ status: null })])],
      people,
    );
    const events = bounceEvents(WS, found).map(checkEvent);
    expect(events.map((e) => [e.type, e.occurrence, e.data])).toEqual([
      [
        'email.bounced',
        'mid:<dsn@mta>:jane@acme.com',
        {
          ...facts(id(20), '<dsn@mta>'),
          personEmail: 'jane@acme.com',
          companyDomain: 'acme.com',
          bouncedInternetMessageId: '<out@n>',
          bouncedEmailId: id(1),
          recipient: 'jane@acme.com',
          status: '5.1.1',
        },
      ],
      [
        'email.bounced',
        'mid:<dsn@mta>:x@acme.com',
        {
          ...facts(id(20), '<dsn@mta>'),
          personEmail: null,
          companyDomain: null,
          bouncedInternetMessageId: '<out@n>',
          bouncedEmailId: id(1),
          recipient: 'x@acme.com',
          status: null,
        },
      ],
    ]);
  });
});
