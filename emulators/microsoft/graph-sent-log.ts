import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import type { SentRecord } from './graph-outbox.ts';

/**
 * The answer of `GET /__control/mailboxes/:email/sent`: each sent message as stored (base64 MIME)
 * and decoded, so a test can check exactly what left the mailbox (headers, threading, the HTML).
 */
export interface SentItemView {
  id: string | null;
  conversationId: string;
  internetMessageId: string | null;
  raw: string;
  subject: string;
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  inReplyTo: string | null;
  references: string[];
  html: string | null;
  text: string | null;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const out: string[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const e of entries) {
      if (e.group) {
        visit(e.group);
      } else if (e.address) {
        out.push(e.address);
      }
    }
  };
  for (const obj of field ? (Array.isArray(field) ? field : [field]) : []) {
    visit(obj.value);
  }
  return out;
}

export async function sentItemView(record: SentRecord): Promise<SentItemView> {
  const parsed = await simpleParser(record.raw, { skipTextToHtml: true });
  const references = parsed.references ?? [];
  return {
    id: record.id,
    conversationId: record.conversationId,
    internetMessageId: record.internetMessageId,
    raw: record.raw.toString('base64'),
    subject: parsed.subject ?? '',
    from: addresses(parsed.from)[0] ?? null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    inReplyTo: parsed.inReplyTo ?? null,
    references: Array.isArray(references) ? references : [references],
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
  };
}
