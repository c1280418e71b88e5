import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMailboxContext } from '../../src/crm/mailbox-context.ts';
import { DEFAULT_ENRICHMENT_SETTINGS } from '../../src/crm/enrichment-settings.ts';
import { attributeRecipient } from '../../src/sending/attribute-recipient.ts';
import { buildOutgoing, type SendInput } from '../../src/sending/build-outgoing.ts';
import { createTrackingSigner } from '../../src/tracking/tracking-token.ts';

const mailbox = buildMailboxContext({
  mailboxEmail: 'dana@northwind.com',
  aliases: [],
  workspaceInternalDomains: ['northwind.com'],
  blocklist: [],
  settings: DEFAULT_ENRICHMENT_SETTINGS,
});
const signer = createTrackingSigner({ current: { id: 1, key: randomBytes(32) }, previous: [] });
const PUBLIC_URL = 'https://t.mailroom.test';

const input = (over: Partial<SendInput> = {}): SendInput => ({
  mailboxId: 'mbx',
  to: [{ email: 'ana@contoso.example', name: 'Ana Silva' }],
  cc: [],
  bcc: [],
  subject: 'Prices, tarifs, 価格',
  text: 'See https://contoso.example/p?a=1&b=2',
  html:
    '<p>See <a href="https://contoso.example/p?a=1&amp;b=2">prices</a> and ' +
    '<a href="https://contoso.example/p?a=1&amp;b=2">again</a>, <a href="tel:+331">call</a>.</p>',
  inReplyToEmailId: null,
  track: { opens: true, clicks: true },
  ...over,
});

const context = (reply: Parameters<typeof buildOutgoing>[1]['reply'] = null) => ({
  from: { email: 'dana@northwind.com' },
  mailbox,
  signer,
  publicUrl: PUBLIC_URL,
  reply,
});

describe('buildOutgoing', () => {
  it('instruments the HTML part only, one token per distinct link plus the pixel', async () => {
    const out = await buildOutgoing(input(), context());
    const mime = await simpleParser(Buffer.from(out.raw, 'base64'));
    expect(mime.text?.trim()).toBe('See https://contoso.example/p?a=1&b=2');
    const html = typeof mime.html === 'string' ? mime.html : '';
    expect(html).not.toContain('contoso.example');
    expect(html).toContain('href="tel:+331"');
    expect(out.tokens.map((t) => [t.kind, t.url])).toEqual([
      ['click', 'https://contoso.example/p?a=1&b=2'],
      ['open', null],
    ]);
    expect(out.tokens.every((t) => t.recipient === 'ana@contoso.example')).toBe(true);
    expect(out.tokens.every((t) => t.attribution === 'single')).toBe(true);
    expect(mime.subject).toBe('Prices, tarifs, 価格');
    expect(mime.messageId).toBe(out.internetMessageId);
    expect(mime.headers.get('x-mailroom-send-id')).toBe(out.sendId);
  });

  it('keeps opens and clicks independent, and leaves text-only mail alone', async () => {
    const opens = await buildOutgoing(input({ track: { opens: true, clicks: false } }), context());
    expect(opens.tokens.map((t) => t.kind)).toEqual(['open']);
    expect(opens.html).toContain('href="https://contoso.example/p?a=1&amp;b=2"');
    const clicks = await buildOutgoing(input({ track: { opens: false, clicks: true } }), context());
    expect(clicks.tokens.map((t) => t.kind)).toEqual(['click']);
    const untracked = await buildOutgoing(
      input({ track: { opens: false, clicks: false } }),
      context(),
    );
    expect(untracked.tokens).toEqual([]);
    expect(untracked.html).toBe(input().html);
    const textOnly = await buildOutgoing(input({ html: null }), context());
    expect(textOnly.tokens).toEqual([]);
  });

  it('threads a reply and keeps Bcc for the provider to take recipients from', async () => {
    const out = await buildOutgoing(
      input({ bcc: [{ email: 'log@northwind.com' }] }),
      context({
        internetMessageId: '<b@fabrikam.example>',
        references: ['<a@fabrikam.example>'],
        own: { providerMessageId: 'm1', providerThreadId: 't1' },
      }),
    );
    const mime = await simpleParser(Buffer.from(out.raw, 'base64'));
    expect(mime.inReplyTo).toBe('<b@fabrikam.example>');
    expect(mime.references).toEqual(['<a@fabrikam.example>', '<b@fabrikam.example>']);
    expect(mime.headers.has('bcc')).toBe(true);
    expect(out.replyTo).toEqual({ providerMessageId: 'm1', providerThreadId: 't1' });
  });
});

describe('attributeRecipient', () => {
  const r = (email: string) => ({ email });
  it('credits the one external recipient, whatever colleagues are copied', () => {
    expect(
      attributeRecipient([r('Ana@Contoso.example')], [r('bo@northwind.com')], [], mailbox),
    ).toEqual({ recipient: 'ana@contoso.example', attribution: 'single' });
  });
  it('credits the first external To recipient when there are several, as ambiguous', () => {
    expect(
      attributeRecipient(
        [r('bo@northwind.com'), r('cy@litware.example')],
        [r('ana@contoso.example')],
        [],
        mailbox,
      ),
    ).toEqual({ recipient: 'cy@litware.example', attribution: 'ambiguous' });
  });
  it('credits nobody for mail among colleagues', () => {
    expect(attributeRecipient([r('bo@northwind.com')], [], [], mailbox)).toEqual({
      recipient: null,
      attribution: 'single',
    });
  });
});
