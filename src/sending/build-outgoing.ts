import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { MailboxContext } from '../crm/mailbox-context.ts';
import type { TrackingTokenInput } from '../db/repositories/tracking.repository.ts';
import type { OutgoingMessage, Recipient } from '../providers/mail-sender.ts';
import { instrumentHtml } from '../tracking/instrument-html.ts';
import type { TrackingSigner } from '../tracking/tracking-token.ts';
import { attributeRecipient } from './attribute-recipient.ts';
import { composeMessage } from './compose-message.ts';

/**
 * A send request turned into the message every attempt sends: the HTML instrumented (when asked
 * and tracking is configured), the tracking tokens to store with the sent email, and the MIME.
 * Built once per send and stored with its record (`StoredOutgoing`), so a retry after a lost
 * outcome sends the same bytes with the same tokens.
 */
export interface SendInput {
  mailboxId: string;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  subject: string;
  text: string | null;
  html: string | null;
  inReplyToEmailId: string | null;
  track: { opens: boolean; clicks: boolean };
}

const recipient = z.object({ email: z.string(), name: z.string().optional() });

export const storedOutgoingSchema = z.object({
  raw: z.string(),
  sendId: z.string(),
  internetMessageId: z.string(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
  to: z.array(recipient),
  cc: z.array(recipient),
  bcc: z.array(recipient),
  replyTo: z
    .object({ providerMessageId: z.string(), providerThreadId: z.string().nullable() })
    .nullable(),
  tokens: z.array(
    z.object({
      tokenId: z.string(),
      kind: z.enum(['open', 'click']),
      url: z.string().nullable(),
      recipient: z.string().nullable(),
      attribution: z.enum(['single', 'ambiguous']),
    }),
  ),
});
export type StoredOutgoing = z.infer<typeof storedOutgoingSchema>;

export interface BuildContext {
  from: Recipient;
  mailbox: MailboxContext;
  /** Null when tracking is not configured (no MAILROOM_TRACKING_KEYS). */
  signer: TrackingSigner | null;
  publicUrl: string;
  reply: {
    internetMessageId: string | null;
    references: string[];
    own: { providerMessageId: string; providerThreadId: string | null } | null;
  } | null;
}

/** `<random@domain>` on the sender's domain, as mail clients write them. */
function newMessageId(from: string): string {
  const domain = from.split('@')[1] ?? 'mailroom.invalid';
  return `<${randomUUID()}@${domain}>`;
}

export async function buildOutgoing(input: SendInput, ctx: BuildContext): Promise<StoredOutgoing> {
  const sendId = randomUUID();
  const tokens: TrackingTokenInput[] = [];
  let html = input.html;
  if (html !== null && ctx.signer && (input.track.opens || input.track.clicks)) {
    const signer = ctx.signer;
    const credit = attributeRecipient(input.to, input.cc, input.bcc, ctx.mailbox);
    const mint = (kind: 'open' | 'click', url: string | null) => {
      const token = signer.mint(kind);
      const verified = signer.verify(token);
      if (!verified) {
        throw new Error('a freshly minted tracking token does not verify');
      }
      tokens.push({ tokenId: verified.tokenId, kind, url, ...credit });
      return token;
    };
    html = instrumentHtml(html, {
      publicUrl: ctx.publicUrl,
      opens: input.track.opens,
      clicks: input.track.clicks,
      mintClickToken: (url) => mint('click', url),
      mintOpenToken: () => mint('open', null),
    }).html;
  }
  const internetMessageId = newMessageId(ctx.from.email);
  const reply = ctx.reply;
  const raw = await composeMessage({
    from: ctx.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: input.subject,
    text: input.text,
    html,
    messageId: internetMessageId,
    inReplyTo: reply?.internetMessageId ?? null,
    references: reply
      ? [...reply.references, ...(reply.internetMessageId ? [reply.internetMessageId] : [])]
      : [],
    sendId,
    date: new Date(),
  });
  return {
    raw: raw.toString('base64'),
    sendId,
    internetMessageId,
    subject: input.subject,
    html,
    text: input.text,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    replyTo: reply?.own ?? null,
    tokens,
  };
}

/** The stored message as the provider port takes it. */
export function toOutgoing(stored: StoredOutgoing): OutgoingMessage {
  return {
    raw: Buffer.from(stored.raw, 'base64'),
    sendId: stored.sendId,
    internetMessageId: stored.internetMessageId,
    subject: stored.subject,
    html: stored.html,
    text: stored.text,
    to: stored.to,
    cc: stored.cc,
    bcc: stored.bcc,
    replyTo: stored.replyTo,
  };
}
