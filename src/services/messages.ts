import { z } from 'zod';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import type { SendInput } from '../sending/build-outgoing.ts';
import { sendMessage, type SendDeps, type SendResult } from '../sending/send-message.ts';
import { requireOwned } from './require-owned.ts';

const recipient = z.object({
  email: z.email().max(320),
  name: z.string().max(200).optional(),
});
const recipients = z.array(recipient).max(500);

/** The request's fields (product.md, "Sending and tracking"); the MCP tool adds its key. */
export const sendMessageFields = z.object({
  mailboxId: z.uuid().describe('the mailbox to send from'),
  to: recipients.min(1),
  cc: recipients.optional(),
  bcc: recipients.optional(),
  subject: z.string().max(998),
  text: z.string().max(1_000_000).optional(),
  html: z.string().max(2_000_000).optional(),
  inReplyToEmailId: z
    .uuid()
    .optional()
    .describe('the email this answers: threading headers, and the same thread at the provider'),
  track: z
    .object({
      opens: z.boolean().optional().describe('a 1×1 pixel in the HTML part'),
      clicks: z.boolean().optional().describe('every http(s) link of the HTML part rewritten'),
    })
    .optional(),
});

type SendFields = z.infer<typeof sendMessageFields>;

/** The rules across fields, for the route's body and the tool's input alike. */
export function withSendRules<S extends z.ZodType<SendFields>>(schema: S) {
  return schema
    .refine((b) => b.text !== undefined || b.html !== undefined, {
      message: 'text or html is required',
      path: ['text'],
    })
    .refine((b) => b.to.length + (b.cc?.length ?? 0) + (b.bcc?.length ?? 0) <= 500, {
      message: 'at most 500 recipients in to, cc and bcc together',
      path: ['to'],
    });
}

export const sendMessageBody = withSendRules(sendMessageFields);

export function toSendInput(b: SendFields): SendInput {
  return {
    mailboxId: b.mailboxId,
    to: b.to,
    cc: b.cc ?? [],
    bcc: b.bcc ?? [],
    subject: b.subject,
    text: b.text ?? null,
    html: b.html ?? null,
    inReplyToEmailId: b.inReplyToEmailId ?? null,
    track: { opens: b.track?.opens ?? false, clicks: b.track?.clicks ?? false },
  };
}

export const sendMessageResult = z.object({
  id: z.string().describe('the email row of the sent message (the same one sync will find)'),
  internetMessageId: z
    .string()
    .describe('the Message-ID recipients see (as the provider wrote it)'),
  providerMessageId: z
    .string()
    .nullable()
    .describe("the sender's copy at the provider; null until the provider shows it"),
  threadKey: z.string(),
});

/**
 * `POST /api/v1/messages` and the `crm.email.send` tool: the mailbox and the replied-to email
 * must be the key's workspace's (another's is a 404), then the send (sending/send-message.ts).
 */
export async function sendWorkspaceMessage(
  scope: WorkspaceScope,
  deps: SendDeps,
  input: SendInput,
  idempotencyKey: string | null,
): Promise<SendResult> {
  await requireOwned(scope, 'mailbox', input.mailboxId);
  if (input.inReplyToEmailId !== null) {
    await requireOwned(scope, 'email', input.inReplyToEmailId);
  }
  return sendMessage(deps, scope.workspaceId, input, idempotencyKey);
}
