import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  asMessageInput,
  checkHeaders,
  composeMime,
  type GraphMessageInput,
} from './graph-compose.ts';
import type { ReadMime } from './graph-outbox.ts';
import { decodeBase64Mime, exchangeMessageId, messageIds } from './graph-raw-mime.ts';
import { composeReply } from './graph-reply.ts';
import {
  completeMime,
  draftOrAnswer,
  invalidBase64,
  notFound,
  refuse,
  type Req,
  type ScopedGuard,
} from './graph-route-kit.ts';
import { selectFields } from './graph-select.ts';
import type { GraphMailbox, GraphStore, StoredGraphMessage } from './graph-store.ts';

/**
 * The Graph routes that write drafts (provider-apis.md §H.2), each needing `Mail.ReadWrite`:
 * `POST /me/messages` (a JSON message, or base64 MIME that keeps its own Message-ID), `PATCH
 * /me/messages/{id}` on a draft, and `createReply`. Drafts sit in the Drafts folder with
 * `isDraft: true` and an Exchange-looking internetMessageId; they answer 201 with the message.
 */
/** A stored draft as the JSON it could have been created from (to apply a PATCH to it). */
function draftInput(draft: StoredGraphMessage): GraphMessageInput {
  const j = draft.json;
  return {
    subject: j.subject,
    body: { contentType: j.body.contentType, content: j.body.content },
    toRecipients: j.toRecipients,
    ccRecipients: j.ccRecipients,
    bccRecipients: j.bccRecipients,
    replyTo: j.replyTo,
    internetMessageHeaders: draft.headers.filter((h) => /^x-/i.test(h.name)),
  };
}

const headerOf = (m: StoredGraphMessage, name: string) =>
  m.headers.find((h) => h.name.toLowerCase() === name)?.value;

export function registerGraphDraftRoutes(
  app: FastifyInstance,
  deps: { gate: ScopedGuard; store: GraphStore; readMime: ReadMime },
): void {
  const { gate, store, readMime } = deps;

  async function storeDraft(mb: GraphMailbox, raw: Buffer, conversationId?: string) {
    const { json, headers } = await readMime(mb.email, 'drafts', raw, { conversationId });
    return store.add(mb.email, 'drafts', json, raw, headers);
  }

  const created = (reply: FastifyReply, m: StoredGraphMessage) =>
    reply.code(201).send({ '@odata.context': '$metadata#users/messages', ...selectFields(m, []) });

  app.post('/v1.0/me/messages', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'messages.create', 'Mail.ReadWrite');
    if (!mb) {
      return reply;
    }
    if (typeof req.body === 'string') {
      const decoded = decodeBase64Mime(req.body);
      return decoded
        ? created(reply, await storeDraft(mb, completeMime(decoded, mb.email)))
        : refuse(reply, invalidBase64);
    }
    const message = asMessageInput(req.body) ?? {};
    const headerRefusal = checkHeaders(message);
    if (headerRefusal) {
      return refuse(reply, headerRefusal);
    }
    const raw = await composeMime(mb.email, message, { messageId: exchangeMessageId() });
    return created(reply, await storeDraft(mb, raw));
  });

  app.patch('/v1.0/me/messages/:id', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'messages.update', 'Mail.ReadWrite');
    if (!mb) {
      return reply;
    }
    const draft = await draftOrAnswer(
      reply,
      mb,
      req.params['id'],
      'Only a draft can be changed this way.',
    );
    if (!draft) {
      return reply;
    }
    const patch = asMessageInput(req.body) ?? {};
    const headerRefusal = checkHeaders(patch);
    if (headerRefusal) {
      return refuse(reply, headerRefusal);
    }
    // Recomposed from the draft's fields with the patch applied; its ids and threading stay.
    const raw = await composeMime(
      mb.email,
      { ...draftInput(draft), ...patch },
      {
        messageId: draft.json.internetMessageId ?? exchangeMessageId(),
        inReplyTo: headerOf(draft, 'in-reply-to'),
        references: messageIds(headerOf(draft, 'references')),
      },
    );
    const { json, headers } = await readMime(mb.email, 'drafts', raw, {
      conversationId: draft.json.conversationId,
    });
    const updated = store.replace(mb.email, draft.id, json, raw, headers);
    return updated ? selectFields(updated, []) : notFound(reply);
  });

  app.post('/v1.0/me/messages/:id/createReply', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'messages.createReply', 'Mail.ReadWrite');
    if (!mb) {
      return reply;
    }
    const original = mb.messages.get(req.params['id'] ?? '');
    if (!original) {
      return notFound(reply);
    }
    const composed = await composeReply(mb.email, original, req.body, { commentOrMessage: true });
    if ('code' in composed) {
      return refuse(reply, composed);
    }
    return created(reply, await storeDraft(mb, composed.raw, composed.conversationId));
  });
}
