import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '../../src/addresses/address.ts';
import { classifyMessage } from '../../src/crm/classify-message.ts';
import { parseDisplayName } from '../../src/addresses/display-name.ts';
import {
  companyNameFromDomain,
  isFreemailDomain,
  registrableDomain,
} from '../../src/addresses/domains.ts';
import {
  DEFAULT_ENRICHMENT_SETTINGS,
  type EnrichmentSettings,
} from '../../src/crm/enrichment-settings.ts';
import { buildMailboxContext } from '../../src/crm/mailbox-context.ts';
import { isRoleAddress } from '../../src/addresses/role-address.ts';
import { detectAutomation } from '../../src/mail/automation-markers.ts';
import type { MessageAddress, NormalizedMessage } from '../../src/mail/normalized-message.ts';

describe('normalizeAddress', () => {
  it.each([
    ['  Jane.Doe@ACME.com ', 'jane.doe@acme.com'],
    ['<bob@Bücher.example.com>', 'bob@xn--bcher-kva.example.com'],
    ['mailto:x@y.co.uk', 'x@y.co.uk'],
    ['trailing@dot.com.', 'trailing@dot.com'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it.each([
    'no-at-sign',
    '@acme.com',
    'jane@',
    'jane@localhost',
    'a@1.2.3.4',
    'ja ne@acme.com',
    'x@a..com',
  ])('rejects %j', (input) => {
    expect(normalizeAddress(input)).toBeNull();
  });
});

describe('parseDisplayName', () => {
  it.each([
    ['Jane Doe', 'Jane', 'Doe'],
    ['Doe, Jane', 'Jane', 'Doe'],
    ['"Okafor, James"', 'James', 'Okafor'],
    ['Jean van der Berg', 'Jean', 'van der Berg'],
    ["'Zoë Ångström'", 'Zoë', 'Ångström'],
    ['Priya Raman (Acme Corp)', 'Priya', 'Raman'],
    ['山田 太郎', '山田', '太郎'],
    ['Cher', 'Cher', ''],
    ['jane@acme.com', '', ''],
    ['  ', '', ''],
    ['???', '', ''],
    ['\uFFFD\uFFFD Ltd', '', ''],
  ])('%j → %j %j', (raw, firstName, lastName) => {
    expect(parseDisplayName(raw, 'jane@acme.com')).toEqual({ firstName, lastName });
  });

  it('an address used as its own name is not a name', () => {
    expect(parseDisplayName('M.Keller@kestrel.de', 'm.keller@kestrel.de')).toEqual({
      firstName: '',
      lastName: '',
    });
  });
});

describe('domains', () => {
  it.each([
    ['mail.eu.acme.co.uk', 'acme.co.uk'],
    ['a.b.example.com', 'example.com'],
    ['kestrel.de', 'kestrel.de'],
    ['co.uk', null],
  ])('registrable(%j) = %j', (domain, expected) => {
    expect(registrableDomain(domain)).toBe(expected);
  });

  it.each([
    ['gmail.com', true],
    ['googlemail.com', true],
    ['outlook.com', true],
    ['yahoo.co.uk', true],
    ['acme.com', false],
    ['northwindtraders.com', false],
  ])('freemail(%j) = %j', (domain, expected) => {
    expect(isFreemailDomain(domain)).toBe(expected);
  });

  it('overrides take a domain in or out of the freemail list', () => {
    expect(isFreemailDomain('gmail.com', { notFreemailDomains: ['gmail.com'] })).toBe(false);
    expect(isFreemailDomain('mail.acme.com', { extraFreemailDomains: ['acme.com'] })).toBe(true);
  });

  it.each([
    ['acme.co.uk', 'Acme'],
    ['sub.globex.com', 'Globex'],
  ])('company name of %j is %j', (domain, name) => {
    expect(companyNameFromDomain(domain)).toBe(name);
  });
});

describe('isRoleAddress', () => {
  it.each([
    'noreply@x.com',
    'no-reply@x.com',
    'no_reply@x.com',
    'donotreply@x.com',
    'do-not-reply@x.com',
    'MAILER-DAEMON@x.com',
    'postmaster@x.com',
    'bounces@x.com',
    'bounces+abc123@x.com',
    'notifications@x.com',
    'calendar-notification@x.com',
    'info@x.com',
    'support@x.com',
    'reply-noreply-42@x.com',
  ])('%j is a role/system sender', (address) => {
    expect(isRoleAddress(address.toLowerCase())).toBe(true);
  });

  it.each(['jane@x.com', 'john.smith@x.com', 'noreen@x.com', 'information.architect@x.com'])(
    '%j is a person',
    (address) => {
      expect(isRoleAddress(address)).toBe(false);
    },
  );

  it('is configurable', () => {
    expect(isRoleAddress('sales@x.com', { allowedRoleLocalParts: ['sales'] })).toBe(false);
    expect(isRoleAddress('deals@x.com', { extraRoleLocalParts: ['deals'] })).toBe(true);
  });
});

describe('detectAutomation', () => {
  const lookup = (headers: Record<string, string>) => (name: string) => headers[name];
  it.each([
    [{ 'list-id': '<news.brand.com>' }, '', { bulk: true, autoReply: false, dsn: false }],
    [{ 'list-unsubscribe': '<mailto:u@x.com>' }, '', { bulk: false, autoReply: false, dsn: false }],
    [
      { 'list-unsubscribe': '<mailto:u@x.com>', precedence: 'bulk' },
      '',
      { bulk: true, autoReply: false, dsn: false },
    ],
    [{ precedence: 'junk' }, '', { bulk: true, autoReply: false, dsn: false }],
    [{ 'auto-submitted': 'auto-replied' }, '', { bulk: false, autoReply: true, dsn: false }],
    [{ 'auto-submitted': 'auto-generated' }, '', { bulk: false, autoReply: true, dsn: false }],
    [{ 'auto-submitted': 'no' }, '', { bulk: false, autoReply: false, dsn: false }],
    [{ 'x-autoreply': 'yes' }, '', { bulk: false, autoReply: true, dsn: false }],
    [{}, 'Automatic reply: pricing', { bulk: false, autoReply: true, dsn: false }],
    [{}, 'Re: pricing', { bulk: false, autoReply: false, dsn: false }],
    [
      { 'content-type': 'multipart/report; report-type=delivery-status; boundary="x"' },
      '',
      { bulk: false, autoReply: false, dsn: true },
    ],
  ])('%j %j', (headers, subject, expected) => {
    expect(detectAutomation(lookup(headers), subject)).toMatchObject(expected);
  });
});

describe('classifyMessage', () => {
  const OWNER = 'dana@northwind.com';
  const addr = (a: string, name = ''): MessageAddress => ({ address: a, name });
  const message = (m: Partial<NormalizedMessage>): NormalizedMessage => ({
    internetMessageId: '<m@x>',
    inReplyTo: null,
    references: [],
    subject: 'Hello',
    sentAt: null,
    from: [],
    to: [],
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
  const context = (
    settings: Partial<EnrichmentSettings> = {},
    owner = OWNER,
    blocklist: string[] = [],
  ) =>
    buildMailboxContext({
      mailboxEmail: owner,
      aliases: ['d.w@northwind.com'],
      workspaceInternalDomains: ['northwind.com'],
      blocklist,
      settings: { ...DEFAULT_ENRICHMENT_SETTINGS, ...settings },
    });
  const decisions = (m: NormalizedMessage, ctx = context()) =>
    classifyMessage(m, ctx).participants.map((p) => [
      p.role,
      p.address,
      p.create,
      p.skipReason,
      p.companyDomain,
    ]);

  it('an external sender of received mail becomes a person with a company', () => {
    const c = classifyMessage(
      message({
        from: [addr('J.Okafor@Mail.Harborview.co.uk', 'Okafor, James')],
        to: [addr(OWNER)],
      }),
      context(),
    );
    expect(c.direction).toBe('inbound');
    expect(c.crmSkipReason).toBeNull();
    expect(c.participants[0]).toMatchObject({
      address: 'j.okafor@mail.harborview.co.uk',
      create: true,
      companyDomain: 'harborview.co.uk',
      name: { firstName: 'James', lastName: 'Okafor' },
    });
  });

  it('skips the owner, aliases, internal subdomains, blocklisted and role senders; cc on received mail only links', () => {
    const m = message({
      from: [addr('eve@acme.com')],
      to: [addr(OWNER), addr('d.w@northwind.com'), addr('li@eu.northwind.com')],
      cc: [
        addr('carl@other.com'),
        addr('x@blocked.org'),
        addr('spam@evil.com'),
        addr('noreply@acme.com'),
      ],
    });
    expect(decisions(m, context({}, OWNER, ['blocked.org', 'spam@evil.com']))).toEqual([
      ['from', 'eve@acme.com', true, null, 'acme.com'],
      ['to', OWNER, false, 'owner', null],
      ['to', 'd.w@northwind.com', false, 'owner', null],
      ['to', 'li@eu.northwind.com', false, 'internal', null],
      ['cc', 'carl@other.com', false, 'policy', null],
      ['cc', 'x@blocked.org', false, 'blocklisted', null],
      ['cc', 'spam@evil.com', false, 'blocklisted', null],
      ['cc', 'noreply@acme.com', false, 'role_address', null],
    ]);
  });

  it("the owner's freemail domain is not internal", () => {
    const ctx = buildMailboxContext({
      mailboxEmail: 'rep@gmail.com',
      aliases: [],
      workspaceInternalDomains: [],
      blocklist: [],
      settings: DEFAULT_ENRICHMENT_SETTINGS,
    });
    const c = classifyMessage(
      message({ from: [addr('friend@gmail.com', 'A Friend')], to: [addr('rep@gmail.com')] }),
      ctx,
    );
    expect(c.participants[0]).toMatchObject({ create: true, companyDomain: null });
  });

  it('sent mail creates its external recipients (to, cc, bcc)', () => {
    const m = message({
      from: [addr(OWNER)],
      to: [addr('a@client.com')],
      cc: [addr('b@client.com')],
      bcc: [addr('c@gmail.com')],
    });
    const c = classifyMessage(m, context());
    expect(c.direction).toBe('outbound');
    expect(c.participants.filter((p) => p.create).map((p) => p.address)).toEqual([
      'a@client.com',
      'b@client.com',
      'c@gmail.com',
    ]);
  });

  it.each([
    ['none', [] as string[], []],
    ['sent', [], ['a@client.com']],
    ['sent_and_received', ['eve@acme.com'], ['a@client.com']],
  ] as const)('policy %s', (policy, fromReceived, fromSent) => {
    const ctx = context({ autoCreatePolicy: policy });
    const received = classifyMessage(
      message({ from: [addr('eve@acme.com')], to: [addr(OWNER)] }),
      ctx,
    );
    const sent = classifyMessage(message({ from: [addr(OWNER)], to: [addr('a@client.com')] }), ctx);
    expect(received.participants.filter((p) => p.create).map((p) => p.address)).toEqual(
      fromReceived,
    );
    expect(sent.participants.filter((p) => p.create).map((p) => p.address)).toEqual(fromSent);
  });

  it.each([
    [{ bulk: true, autoReply: false, dsn: false, markers: ['list_id'] }, 'bulk'],
    [
      { bulk: false, autoReply: true, dsn: false, markers: ['auto_submitted', 'auto_reply'] },
      'auto_reply',
    ],
    [{ bulk: false, autoReply: true, dsn: false, markers: ['auto_submitted'] }, 'automated'],
    [{ bulk: false, autoReply: false, dsn: true, markers: ['delivery_status'] }, 'delivery_status'],
  ] as const)('automated mail %j is kept out of the CRM as %s', (automation, reason) => {
    const c = classifyMessage(
      message({
        from: [addr('eve@acme.com')],
        to: [addr(OWNER)],
        automation: { ...automation, markers: [...automation.markers] },
      }),
      context(),
    );
    expect(c.crmSkipReason).toBe(reason);
    expect(c.participants[0]).toMatchObject({
      create: false,
      linkable: true,
      skipReason: 'automated_message',
    });
  });

  it('a delivery report without the multipart/report markers (an Exchange NDR) creates nobody', () => {
    // Office 365 sends its NDRs as plain text from a non-role address; the parser's bounce
    // report is what tells them apart (issue 11 item 2).
    const c = classifyMessage(
      message({
        from: [addr('MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.com')],
        to: [addr(OWNER)],
        subject: 'Undeliverable: Proposal',
        bounce: {
          kind: 'exchange-ndr',
          recipients: [],
          originalMessageId: '<out@northwind.com>',
          reportingMta: null,
        },
      }),
      context(),
    );
    expect(c.crmSkipReason).toBe('delivery_status');
    expect(c.participants.some((p) => p.create)).toBe(false);
  });

  it('all-internal mail is not logged', () => {
    const c = classifyMessage(
      message({ from: [addr('li@northwind.com')], to: [addr(OWNER)] }),
      context(),
    );
    expect(c.crmSkipReason).toBe('all_internal');
  });

  it('at most 50 participants of one message create records', () => {
    const to = Array.from({ length: 60 }, (_, i) => addr(`r${i}@client${i}.com`));
    const c = classifyMessage(message({ from: [addr(OWNER)], to }), context());
    expect(c.participants.filter((p) => p.create)).toHaveLength(50);
    expect(c.participants.filter((p) => p.skipReason === 'participant_cap')).toHaveLength(10);
  });

  it('counts invalid addresses and dedupes repeated ones', () => {
    const c = classifyMessage(
      message({
        from: [addr('eve@acme.com')],
        to: [addr(OWNER), addr('not-an-address'), addr(OWNER.toUpperCase())],
      }),
      context(),
    );
    expect(c.invalidAddresses).toEqual(['not-an-address']);
    expect(c.participants.map((p) => p.address)).toEqual(['eve@acme.com', OWNER]);
  });
});

describe('classifyMessage with a provider SENT label', () => {
  it('treats mail the provider filed as sent as outbound, even from an unknown alias', () => {
    const ctx = buildMailboxContext({
      mailboxEmail: 'dana@northwind.com',
      aliases: [],
      workspaceInternalDomains: ['northwind.com'],
      blocklist: [],
      settings: DEFAULT_ENRICHMENT_SETTINGS,
    });
    const m: NormalizedMessage = {
      internetMessageId: '<s@x>',
      inReplyTo: null,
      references: [],
      subject: 'Hi',
      sentAt: null,
      from: [{ address: 'dana.w@northwind-sales.com', name: 'Dana' }],
      to: [{ address: 'buyer@client.com', name: 'Buyer' }],
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
      sizeBytes: 1,
    };
    expect(classifyMessage(m, ctx).direction).toBe('inbound');
    const sent = classifyMessage(m, ctx, true);
    expect(sent.direction).toBe('outbound');
    expect(sent.participants.filter((p) => p.create).map((p) => p.address)).toEqual([
      'buyer@client.com',
    ]);
  });
});
