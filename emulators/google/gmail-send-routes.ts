import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { one } from '../shared/query.ts';
import { googleError } from './google-error.ts';
import { SEND_SCOPES } from './google-scopes.ts';
import type { GmailSender } from './gmail-send.ts';
import { boundaryOf, splitRelated } from './multipart-related.ts';

/**
 * `users.messages.send` on both of Gmail's URIs (provider-apis.md §H.1): the metadata URI takes
 * JSON `{raw, threadId?}` (raw base64url, or plain base64, which Google also accepts); the upload
 * URI takes the message itself (`uploadType=media`, Content-Type message/rfc822) or a JSON part
 * and the message in one `multipart/related` body (`uploadType=multipart`). The parsers for those
 * two types exist on the upload path only, as on Google's side. Each call goes through the same
 * guard as every metered call, charged as `messages.send`, and needs a scope that may send.
 */
type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | string[] | undefined>;
}>;

type Guard = (
  req: Req,
  reply: FastifyReply,
  method: string,
  scopes?: readonly string[],
) => Promise<{ email: string } | null>;

const PATH = '/gmail/v1/users/:userId/messages/send';
/** Google's limit for a message with its attachments is 35 MB; base64 in JSON makes it larger. */
const BODY_LIMIT = 50 * 1024 * 1024;

const RAW_REQUIRED = googleError(
  400,
  'invalidArgument',
  "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
);

/** The message and thread of an upload, or null when the body is not a message upload. */
function fromUpload(req: Req): { raw: Buffer; threadId: unknown } | null {
  const body = Buffer.isBuffer(req.body)
    ? req.body
    : Buffer.from(typeof req.body === 'string' ? req.body : '', 'latin1');
  const uploadType = one(req.query['uploadType']);
  if (uploadType === 'media') {
    return body.length > 0 ? { raw: body, threadId: undefined } : null;
  }
  if (uploadType !== 'multipart') {
    return null;
  }
  const boundary = boundaryOf(req.headers['content-type']);
  const parts = boundary ? splitRelated(body, boundary) : null;
  const json = parts?.find((p) => /^application\/json/i.test(p.contentType));
  const media = parts?.find((p) => p !== json);
  if (!media || media.body.length === 0) {
    return null;
  }
  const metadata: unknown = json ? JSON.parse(json.body.toString('utf8')) : {};
  return { raw: media.body, threadId: (metadata as { threadId?: unknown }).threadId };
}

export function registerGmailSendRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; sender: GmailSender },
): void {
  const { guard, sender } = deps;

  async function send(reply: FastifyReply, email: string, raw: Buffer, threadId: unknown) {
    const outcome = await sender.send(
      email,
      raw,
      typeof threadId === 'string' && threadId !== '' ? threadId : undefined,
    );
    if (!outcome.ok) {
      return reply.code(outcome.status).send(outcome.body);
    }
    const { id, threadId: thread, labelIds } = outcome.message;
    return reply.send({ id, threadId: thread, labelIds });
  }

  app.post(PATH, { bodyLimit: BODY_LIMIT }, async (req: Req, reply) => {
    const user = await guard(req, reply, 'messages.send', SEND_SCOPES);
    if (!user) {
      return reply;
    }
    const body = req.body as { raw?: unknown; threadId?: unknown } | undefined;
    if (typeof body?.raw !== 'string' || body.raw === '') {
      return reply.code(400).send(RAW_REQUIRED);
    }
    return send(reply, user.email, Buffer.from(body.raw, 'base64'), body.threadId);
  });

  void app.register((upload, _opts, done) => {
    const asBuffer = (_req: FastifyRequest, body: Buffer, parsed: (e: null, b: Buffer) => void) => {
      parsed(null, body);
    };
    upload.addContentTypeParser('message/rfc822', { parseAs: 'buffer' }, asBuffer);
    upload.addContentTypeParser(/^multipart\/related\b/i, { parseAs: 'buffer' }, asBuffer);
    upload.post(`/upload${PATH}`, { bodyLimit: BODY_LIMIT }, async (req: Req, reply) => {
      const user = await guard(req, reply, 'messages.send', SEND_SCOPES);
      if (!user) {
        return reply;
      }
      let message;
      try {
        message = fromUpload(req);
      } catch (err) {
        if (err instanceof SyntaxError) {
          return reply.code(400).send(googleError(400, 'parseError', 'Parse Error'));
        }
        throw err;
      }
      if (!message) {
        return reply.code(400).send(RAW_REQUIRED);
      }
      return send(reply, user.email, message.raw, message.threadId);
    });
    done();
  });
}
