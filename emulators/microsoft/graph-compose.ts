import MailComposer from 'nodemailer/lib/mail-composer';
import type { GraphRecipient } from './graph-message-json.ts';

/**
 * The JSON `message` a Graph send or draft request carries (provider-apis.md §H.2), its checks,
 * and the MIME Exchange would make of it. The emulator stores every message as MIME, so a message
 * created from JSON is composed here (nodemailer's MailComposer) and then read back like any other.
 */
export interface GraphMessageInput {
  subject?: string;
  body?: { contentType?: string; content?: string };
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  replyTo?: GraphRecipient[];
  internetMessageHeaders?: { name: string; value: string }[];
}

/** A refusal in Graph's terms: status, error code and message. */
export interface GraphRefusal {
  status: number;
  code: string;
  message: string;
}

/** Exchange's ceiling on To + Cc + Bcc of one message. */
export const MAX_RECIPIENTS = 500;
const MAX_CUSTOM_HEADERS = 5;

/**
 * Custom headers must be named `x-…` and be at most 5; anything else fails the whole request
 * (so the JSON forms cannot set In-Reply-To, References or Message-ID).
 */
export function checkHeaders(input: GraphMessageInput): GraphRefusal | null {
  const headers = input.internetMessageHeaders ?? [];
  const bad = headers.find((h) => !/^x-/i.test(h.name));
  if (bad) {
    return {
      status: 400,
      code: 'InvalidInternetMessageHeader',
      message: `The internet message header name '${bad.name}' should start with 'x-' or 'X-'.`,
    };
  }
  if (headers.length > MAX_CUSTOM_HEADERS) {
    // The code is from a live test (provider-apis.md §H.2); the wording is UNVERIFIED.
    return {
      status: 400,
      code: 'InvalidInternetMessageHeaderCollection',
      message: `Maximum number of headers in one message should be less than or equal to ${String(MAX_CUSTOM_HEADERS)}.`,
    };
  }
  return null;
}

/** Sending needs 1 to 500 recipients across To, Cc and Bcc. */
export function checkRecipientCount(count: number): GraphRefusal | null {
  return count === 0 || count > MAX_RECIPIENTS
    ? {
        status: 400,
        code: 'ErrorInvalidRecipients',
        message: "At least one recipient isn't valid.",
      }
    : null;
}

/** A JSON body's `message` must be an object when present. */
export function asMessageInput(value: unknown): GraphMessageInput | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

const address = (r: GraphRecipient) => ({
  name: r.emailAddress.name || '',
  address: r.emailAddress.address,
});

/**
 * The message as MIME, from the mailbox's own address. Bcc is kept in the header block: this is
 * the sender's copy (drafts, Sent Items); copies for recipients drop it when delivered.
 */
export async function composeMime(
  from: string,
  input: GraphMessageInput,
  ids: { messageId: string; inReplyTo?: string; references?: string[]; date?: Date },
): Promise<Buffer> {
  const html = /^html$/i.test(input.body?.contentType ?? '');
  const content = input.body?.content ?? '';
  const node = new MailComposer({
    from,
    to: (input.toRecipients ?? []).map(address),
    cc: (input.ccRecipients ?? []).map(address),
    bcc: (input.bccRecipients ?? []).map(address),
    replyTo: (input.replyTo ?? []).map(address),
    subject: input.subject ?? '',
    ...(html ? { html: content } : { text: content }),
    messageId: ids.messageId,
    date: ids.date ?? new Date(),
    ...(ids.inReplyTo ? { inReplyTo: ids.inReplyTo } : {}),
    ...(ids.references?.length ? { references: ids.references } : {}),
    headers: (input.internetMessageHeaders ?? []).map((h) => ({ key: h.name, value: h.value })),
  }).compile();
  node.keepBcc = true;
  return node.build();
}
