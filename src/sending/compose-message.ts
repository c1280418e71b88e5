import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Recipient } from '../providers/mail-sender.ts';

/**
 * Builds the RFC 5322 message Mailroom sends, with nodemailer's MailComposer (by mailparser's
 * author): encoded headers, the text and HTML alternatives, line lengths, all done by a library
 * that has sent a great deal of mail. The `Bcc:` header is kept because Gmail takes every
 * recipient from the headers (provider-apis.md §H.1); the provider removes it from the copies it
 * delivers.
 */
export interface ComposeInput {
  from: Recipient;
  to: readonly Recipient[];
  cc: readonly Recipient[];
  bcc: readonly Recipient[];
  subject: string;
  text: string | null;
  html: string | null;
  messageId: string;
  /** Threading, for a reply: the parent's Message-ID and the chain before it. */
  inReplyTo: string | null;
  references: readonly string[];
  /** Mailroom's id for the send, written as `X-Mailroom-Send-Id`: how a lost outcome is found. */
  sendId: string;
  date: Date;
}

const address = (r: Recipient) => ({ address: r.email, name: r.name ?? '' });

export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  const node = new MailComposer({
    from: address(input.from),
    to: input.to.map(address),
    cc: input.cc.map(address),
    bcc: input.bcc.map(address),
    subject: input.subject,
    ...(input.text !== null ? { text: input.text } : {}),
    ...(input.html !== null ? { html: input.html } : {}),
    messageId: input.messageId,
    ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
    ...(input.references.length > 0 ? { references: [...input.references] } : {}),
    date: input.date,
    headers: { 'X-Mailroom-Send-Id': input.sendId },
  }).compile();
  node.keepBcc = true;
  return node.build();
}
