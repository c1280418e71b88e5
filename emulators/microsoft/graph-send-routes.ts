import type { FastifyInstance } from 'fastify';
import { asMessageInput, checkHeaders, composeMime } from './graph-compose.ts';
import { isRefusal, type GraphOutbox } from './graph-outbox.ts';
import { decodeBase64Mime, exchangeMessageId, withHeader } from './graph-raw-mime.ts';
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
import type { GraphStore } from './graph-store.ts';

/**
 * The Graph routes that send (provider-apis.md §H.2), each needing `Mail.Send`: `sendMail` in
 * the JSON form or as base64 MIME, `POST /me/messages/{id}/send` for a draft, and `reply`. They
 * answer 202 with no body and no Content-Type; what happens to the message is graph-outbox.ts.
 */
/** `saveToSentItems` is a boolean, or the string "true"/"false" as the docs' own example sends. */
const keepsSentCopy = (value: unknown) =>
  !(value === false || (typeof value === 'string' && value.toLowerCase() === 'false'));

export function registerGraphSendRoutes(
  app: FastifyInstance,
  deps: { gate: ScopedGuard; store: GraphStore; outbox: GraphOutbox },
): void {
  const { gate, store, outbox } = deps;

  app.post('/v1.0/me/sendMail', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'sendMail', 'Mail.Send');
    if (!mb) {
      return reply;
    }
    let raw: Buffer;
    let save = true;
    if (typeof req.body === 'string') {
      const decoded = decodeBase64Mime(req.body);
      if (!decoded) {
        return refuse(reply, invalidBase64);
      }
      raw = completeMime(decoded, mb.email);
    } else {
      const body = (req.body ?? {}) as { message?: unknown; saveToSentItems?: unknown };
      const message = asMessageInput(body.message);
      if (!message) {
        // UNVERIFIED wording: Graph's answer to a sendMail without a message was not captured.
        return refuse(reply, {
          status: 400,
          code: 'ErrorInvalidRequest',
          message: 'The request needs a message.',
        });
      }
      const headerRefusal = checkHeaders(message);
      if (headerRefusal) {
        return refuse(reply, headerRefusal);
      }
      raw = await composeMime(mb.email, message, { messageId: exchangeMessageId() });
      save = keepsSentCopy(body.saveToSentItems);
    }
    const sent = await outbox.submit(mb.email, raw, { saveToSentItems: save });
    return isRefusal(sent) ? refuse(reply, sent) : reply.code(202).send();
  });

  app.post('/v1.0/me/messages/:id/send', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'messages.send', 'Mail.Send');
    if (!mb) {
      return reply;
    }
    const draft = await draftOrAnswer(reply, mb, req.params['id'], 'Only a draft can be sent.');
    if (!draft) {
      return reply;
    }
    // The Sent Items copy is a new item: the draft goes, the copy keeps its Message-ID.
    const raw = withHeader(draft.mime, 'Date', new Date().toUTCString());
    const sent = await outbox.submit(mb.email, raw, {
      saveToSentItems: true,
      conversationId: draft.json.conversationId,
    });
    if (isRefusal(sent)) {
      return refuse(reply, sent);
    }
    store.delete(mb.email, draft.id);
    return reply.code(202).send();
  });

  app.post('/v1.0/me/messages/:id/reply', async (req: Req, reply) => {
    const mb = await gate(req, reply, 'messages.reply', 'Mail.Send');
    if (!mb) {
      return reply;
    }
    const original = mb.messages.get(req.params['id'] ?? '');
    if (!original) {
      return notFound(reply);
    }
    const composed = await composeReply(mb.email, original, req.body, { commentOrMessage: false });
    if ('code' in composed) {
      return refuse(reply, composed);
    }
    const sent = await outbox.submit(mb.email, composed.raw, {
      saveToSentItems: true,
      conversationId: composed.conversationId,
    });
    return isRefusal(sent) ? refuse(reply, sent) : reply.code(202).send();
  });
}
