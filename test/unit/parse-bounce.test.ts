import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { failedRecipients, type BounceReport } from '../../src/mail/bounce/bounce-report.ts';
import { parseDeliveryStatus } from '../../src/mail/bounce/delivery-status.ts';
import { normalizeAction, normalizeStatus } from '../../src/mail/bounce/enhanced-status.ts';
import { parseBounce } from '../../src/mail/bounce/parse-bounce.ts';

/**
 * Bounce parsing over the real-world corpus (fixtures/corpora/emails: DSNs from Postfix, Exim,
 * Sendmail, Exchange, Office 365, Gmail, SES, SendGrid… collected by other parsers' projects).
 * The counts are pinned so that a regression, or a new false positive, shows as a changed number.
 */
const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));

const corpusFile = (name: string) => readFile(`${CORPUS}${name}`);

async function parseCorpus(): Promise<{
  reports: Map<string, BounceReport>;
  files: string[];
  dsnTagged: Set<string>;
}> {
  const files = (await readdir(CORPUS)).filter((f) => f.endsWith('.eml')).sort();
  const reports = new Map<string, BounceReport>();
  for (const file of files) {
    const report = await parseBounce(await corpusFile(file));
    if (report !== null) {
      reports.set(file, report);
    }
  }
  // The corpus manifest tags each file carrying a message/delivery-status part (a heuristic scan).
  const manifest = await readFile(`${CORPUS}MANIFEST.tsv`, 'utf8');
  const dsnTagged = new Set(
    manifest
      .split('\n')
      .filter((line) => line.includes('ct:message/delivery-status'))
      .map((line) => line.split('\t')[0] ?? ''),
  );
  return { reports, files, dsnTagged };
}

describe('parseBounce over the corpus', () => {
  it('parses every file, finds the delivery reports and nothing else', async () => {
    const { reports, files, dsnTagged } = await parseCorpus();
    const all = [...reports.values()];
    const withRecipientAndStatus = all.filter((r) =>
      r.recipients.some((x) => x.recipient.includes('@') && x.status !== null),
    );
    const withOriginalId = all.filter((r) => r.originalMessageId !== null);
    const byKind = Object.fromEntries(
      ['dsn', 'exchange-ndr', 'gmail-dsn', 'text-ndr'].map((k) => [
        k,
        all.filter((r) => r.kind === k).length,
      ]),
    );
    const figures = {
      files: files.length,
      reports: reports.size,
      nulls: files.length - reports.size,
      byKind,
      withRecipientAndStatus: withRecipientAndStatus.length,
      withOriginalMessageId: withOriginalId.length,
      bounces: all.filter((r) => failedRecipients(r).length > 0).length,
      manifestDsns: dsnTagged.size,
      manifestDsnsFound: [...dsnTagged].filter((f) => reports.has(f)).length,
      manifestDsnsWithRecipientAndStatus: [...dsnTagged].filter((f) =>
        withRecipientAndStatus.includes(reports.get(f) as BounceReport),
      ).length,
    };
    expect(figures).toEqual({
      files: 385,
      reports: 62,
      // Ordinary mail, read receipts (MDN), abuse feedback (ARF), forwarded messages.
      nulls: 323,
      byKind: { dsn: 54, 'exchange-ndr': 3, 'gmail-dsn': 4, 'text-ndr': 1 },
      withRecipientAndStatus: 57,
      withOriginalMessageId: 53,
      // The other 4: three `delayed` reports and one DSN that names no recipient.
      bounces: 58,
      manifestDsns: 56,
      // Not found: sisimai__lhost-x5-01, a DSN forwarded inside a message/rfc822 by a filter.
      manifestDsnsFound: 55,
      // Without: Exim's local-delivery path as recipient, a DSN with no recipient group, and
      // Google's Groups/Workspace notices that give no SMTP code.
      manifestDsnsWithRecipientAndStatus: 52,
    });
  });

  it.each([
    'flanker__complaints_aol.eml',
    'sisimai__arf-15.eml',
    'james__eml_mdn_simple.eml',
    'mimekit__messages_disposition-notification.eml',
    'mimekit__messages_simple-embedded-message.eml',
    'sisimai__is-not-bounce-02.eml',
    'talon__apple_mail.eml',
  ])('%s (feedback, receipt, forward, reply) is not a bounce', async (file) => {
    expect(await parseBounce(await corpusFile(file))).toBeNull();
  });
});

const recipient = (over: Partial<BounceReport['recipients'][number]>) => ({
  originalRecipient: null,
  remoteMta: null,
  ...over,
});

describe('parseBounce on known forms', () => {
  it('reads an RFC 3464 report with five recipient groups (Postfix via Gmail MX)', async () => {
    const report = await parseBounce(
      await corpusFile('mikelmail__multipart_report_emails_multi_address_bounce1.eml'),
    );
    expect(report?.kind).toBe('dsn');
    expect(report?.reportingMta).toBe('lvmail01.LL.com');
    expect(report?.originalMessageId).toBe('<118707422.15521266992174819.JavaMail.root@lvmail01>');
    expect(report?.recipients.map((r) => [r.recipient, r.action, r.status, r.remoteMta])).toEqual(
      [
        'bbbbvhvbbvkjbhfbvbvjhb@gmail.com',
        'bscdbcjhasbcjhbdscbhbsdhcbj@gmail.com',
        'egyfefsdvsfvvhjsd@gmail.com',
        'kfhejkfbsjkjsbhds@gmail.com',
        'qfvhgsvhgsduiohncdhcvhsdfvsfygusd@gmail.com',
      ].map((r) => [r, 'failed', '5.1.1', 'gmail-smtp-in.l.google.com']),
    );
    expect(report?.recipients[0]?.diagnosticCode).toMatch(
      /^smtp; 550-5\.1\.1 The email account that you tried to reach does not exist/,
    );
  });

  it('reads an Office 365 NDR that has only its text (no delivery-status part)', async () => {
    expect(await parseBounce(await corpusFile('sisimai__lhost-office365-01.eml'))).toEqual({
      kind: 'exchange-ndr',
      recipients: [
        recipient({
          recipient: 'kijitora@example.com',
          action: 'failed',
          status: '5.1.10',
          diagnosticCode:
            '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
        }),
      ],
      originalMessageId: '<FFFFFFFF.EEEEEEEE@example.ed.jp>',
      reportingMta: 'FFFFFFFFFFFF.e0.prod.outlook.com',
    });
  });

  it('reads an Exchange 2003 NDR ("did not reach the following recipient(s)")', async () => {
    expect(await parseBounce(await corpusFile('sisimai__lhost-exchange2003-07.eml'))).toEqual({
      kind: 'exchange-ndr',
      recipients: [
        recipient({
          recipient: 'kijitora@example.org',
          action: 'failed',
          status: null,
          diagnosticCode: null,
        }),
      ],
      originalMessageId: '<2005042923344500.R00031@example.jp>',
      reportingMta: null,
    });
  });

  it("reads Gmail's text-only Delivery Status Notification (Failure)", async () => {
    expect(await parseBounce(await corpusFile('sisimai__lhost-gmail-04.eml'))).toEqual({
      kind: 'gmail-dsn',
      recipients: [
        recipient({
          recipient: 'kijitora@example.com',
          action: 'failed',
          status: '5.7.1',
          diagnosticCode:
            '554 554 5.7.1 Service unavailable; Client host [192.0.2.49] blocked using cbl.abuseat.org (state 13).',
        }),
      ],
      // Quoted-printable soft breaks inside the quoted original's Message-ID are decoded.
      originalMessageId: '<CAJYcEwW7ghrwjbwmwK3GKRG98qSVTKhGBvnkbVH1RdwFJwHWFQ@mail.gmail.com>',
      reportingMta: null,
    });
  });

  it('reads an Exim notice by its X-Failed-Recipients header and the reply in its text', async () => {
    expect(await parseBounce(await corpusFile('sisimai__lhost-mailru-01.eml'))).toEqual({
      kind: 'text-ndr',
      recipients: [
        recipient({
          recipient: 'kijitora@example.jp',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: '550 5.1.1 <kijitora@example.jp>... User Unknown',
        }),
      ],
      originalMessageId: '<8F3CE2D8-D60E-48C3-B9AF-BED628EE2CA5@mail.example.ru>',
      reportingMta: null,
    });
  });

  it('reports a delay with its action, which is not a bounce', async () => {
    const report = await parseBounce(await corpusFile('flanker__bounce_no-mx.eml'));
    expect(report).toEqual({
      kind: 'dsn',
      recipients: [
        recipient({
          recipient: 'user@example.com',
          action: 'delayed',
          status: '4.4.4',
          diagnosticCode: 'smtp; 454 4.4.4 [internal] no MX or A for domain',
        }),
      ],
      originalMessageId: '<19E44CA63F984902B7D654F8FF40F89D@bo>',
      reportingMta: 'example.com',
    });
    expect(failedRecipients(report as BounceReport)).toEqual([]);
  });

  it('decodes per-recipient fields a relay base64-encoded inside the report', async () => {
    const report = await parseBounce(await corpusFile('mimekit__messages_bounce.eml'));
    expect(report?.recipients.map((r) => [r.recipient, r.action, r.status])).toEqual([
      ['netec.test@netecgc.com', 'failed', '5.1.1'],
    ]);
    expect(report?.originalMessageId).toBe(
      '<44565655.JitbitHelpdesk.13439.691a0afc-a0a0-457c-8208-f20b7c4a4cb1@jitbit.com>',
    );
  });

  it('finds the Message-ID of a returned message mailparser inlined into the text', async () => {
    const report = await parseBounce(await corpusFile('sisimai__lhost-sendgrid-01.eml'));
    expect(report?.originalMessageId).toBe('<F9B4AEED-722D-47FD-929E-3625AF2161BB@example.jp>');
  });

  it('takes the original Message-ID from text/rfc822-headers, through a custom normaliser', async () => {
    const lower = (value: string) => /<[^<>\s]+>/.exec(value)?.[0].toLowerCase() ?? null;
    const report = await parseBounce(await corpusFile('sisimai__lhost-powermta-01.eml'), {
      normalizeMessageId: lower,
    });
    expect(report?.originalMessageId).toMatch(/^<68b329da9893e34099c7d8ad59d65e762ff\./);
    expect(report?.originalMessageId).toBe(report?.originalMessageId?.toLowerCase());
  });
});

describe('delivery-status fields', () => {
  it('splits recipients written without the empty line between groups', () => {
    const status = parseDeliveryStatus(
      [
        'Reporting-MTA: dns; mx.example.org',
        '',
        'Final-Recipient: rfc822; <Ann@Example.COM>',
        'Action: failed',
        'Status: 5.1.1 (bad mailbox)',
        'Final-Recipient: rfc822; bob@example.com',
        'Action: delayed',
        'Diagnostic-Code: smtp; 451 4.7.1 greylisted,',
        '  try again later',
      ].join('\r\n'),
    );
    expect(status).toEqual({
      reportingMta: 'mx.example.org',
      recipients: [
        recipient({
          recipient: 'ann@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: null,
        }),
        recipient({
          recipient: 'bob@example.com',
          action: 'delayed',
          status: '4.7.1',
          diagnosticCode: 'smtp; 451 4.7.1 greylisted, try again later',
        }),
      ],
    });
  });

  it.each([
    ['5.1.1', null, '5.1.1'],
    ['5.1.10 (unknown)', null, '5.1.10'],
    [null, 'smtp; 550 5.1.1 <a@b.example>: user unknown', '5.1.1'],
    ['', 'smtp; 550-5.7.26 unauthenticated', '5.7.26'],
    [null, 'smtp; 550 Requested action not taken', '5.0.0'],
    [null, 'smtp; 421 try later', '4.0.0'],
    ['x', 'host [192.5.1.1] said: 550 no such user', '5.0.0'],
    [null, 'host 10.2.4.5 refused', null],
    [null, null, null],
  ])('status %j with diagnostic %j → %j', (status, diagnostic, expected) => {
    expect(normalizeStatus(status, diagnostic)).toBe(expected);
  });

  it.each([
    ['failed', null, 'failed'],
    ['Failed (permanent)', null, 'failed'],
    ['relayed', '2.0.0', 'relayed'],
    [null, '5.1.1', 'failed'],
    [null, '4.4.7', 'delayed'],
    ['unknown', '2.0.0', 'delivered'],
    [null, null, null],
  ])('action %j with status %j → %j', (action, status, expected) => {
    expect(normalizeAction(action, status)).toBe(expected);
  });
});
