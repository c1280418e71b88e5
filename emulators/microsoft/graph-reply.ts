import {
  asMessageInput,
  checkHeaders,
  composeMime,
  type GraphMessageInput,
  type GraphRefusal,
} from './graph-compose.ts';
import { exchangeMessageId, messageIds } from './graph-raw-mime.ts';
import type { StoredGraphMessage } from './graph-store.ts';

/**
 * The reply Exchange builds for `createReply` and `reply` (provider-apis.md §H.2): "RE: " and the
 * original subject, addressed to the original's Reply-To or else its sender, threaded with
 * In-Reply-To = the original's Message-ID and References = the original's References (or, without
 * them, its In-Reply-To, RFC 5322 §3.6.4) followed by its Message-ID. The request's `comment`
 * becomes a text body; its `message` overrides any field it names.
 */
export interface ReplyPlan {
  input: GraphMessageInput;
  inReplyTo: string | undefined;
  references: string[];
}

const header = (original: StoredGraphMessage, name: string) =>
  original.headers.find((h) => h.name.toLowerCase() === name)?.value;

export function planReply(
  original: StoredGraphMessage,
  body: unknown,
  options: { commentOrMessage: boolean },
): GraphRefusal | ReplyPlan {
  const request = (asMessageInput(body) ?? {}) as { comment?: unknown; message?: unknown };
  const message = request.message === undefined ? null : asMessageInput(request.message);
  const comment = typeof request.comment === 'string' ? request.comment : undefined;
  if (options.commentOrMessage && comment !== undefined && message) {
    return {
      status: 400,
      code: 'ErrorInvalidRequest',
      message: 'Specify either a comment or a message, not both.',
    };
  }
  const headerRefusal = message ? checkHeaders(message) : null;
  if (headerRefusal) {
    return headerRefusal;
  }
  const json = original.json;
  const parentRefs = messageIds(header(original, 'references'));
  const inReplyTo = json.internetMessageId ?? undefined;
  const references = [
    ...(parentRefs.length > 0 ? parentRefs : messageIds(header(original, 'in-reply-to'))),
    ...(inReplyTo ? [inReplyTo] : []),
  ];
  const to = json.replyTo.length > 0 ? json.replyTo : json.from ? [json.from] : [];
  return {
    input: {
      subject: `RE: ${json.subject}`,
      toRecipients: to,
      body: { contentType: 'Text', content: comment ?? '' },
      ...message,
    },
    inReplyTo,
    references,
  };
}

/** The reply as the sender's MIME, and the conversation it stays in. */
export async function composeReply(
  from: string,
  original: StoredGraphMessage,
  body: unknown,
  options: { commentOrMessage: boolean },
): Promise<GraphRefusal | { raw: Buffer; conversationId: string }> {
  const plan = planReply(original, body, options);
  if ('code' in plan) {
    return plan;
  }
  const raw = await composeMime(from, plan.input, {
    messageId: exchangeMessageId(),
    inReplyTo: plan.inReplyTo,
    references: plan.references,
  });
  return { raw, conversationId: original.json.conversationId };
}
