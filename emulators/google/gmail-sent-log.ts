import { simpleParser } from 'mailparser';
import type { StoredMessage } from './gmail-store.ts';
import { addressesOf } from './mail-addresses.ts';

/**
 * What each user sent through `messages.send`, oldest first, exactly as stored (the sender's copy,
 * Bcc included), so a test can read what went out without going through the API it is testing.
 * Kept apart from the mailbox so that deleting the Sent copy does not unsend it.
 */
export interface SentItem {
  id: string;
  threadId: string;
  internetMessageId: string | null;
  /** The stored MIME, base64. */
  raw: string;
  subject: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
  inReplyTo: string | null;
  references: string[];
  html: string | null;
  text: string | null;
}

export class SentLog {
  private readonly sent = new Map<string, StoredMessage[]>();

  record(email: string, message: StoredMessage): void {
    const key = email.toLowerCase();
    this.sent.set(key, [...(this.sent.get(key) ?? []), message]);
  }

  async items(email: string): Promise<SentItem[]> {
    return Promise.all((this.sent.get(email.toLowerCase()) ?? []).map(describe));
  }
}

async function describe(m: StoredMessage): Promise<SentItem> {
  const parsed = await simpleParser(m.raw, { skipImageLinks: true, skipTextToHtml: true });
  const references = parsed.references ?? [];
  return {
    id: m.id,
    threadId: m.threadId,
    internetMessageId: m.messageIdHeader,
    raw: m.raw.toString('base64'),
    subject: parsed.subject ?? null,
    from: addressesOf(parsed.from).emails[0] ?? null,
    to: addressesOf(parsed.to).emails,
    cc: addressesOf(parsed.cc).emails,
    bcc: addressesOf(parsed.bcc).emails,
    inReplyTo: parsed.inReplyTo ?? null,
    references: Array.isArray(references) ? references : [references],
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
  };
}
