import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../shared/request-limits.ts';
import type { GraphRefusal } from './graph-compose.ts';
import { graphError } from './graph-errors.ts';
import { exchangeMessageId, withDefaultHeader } from './graph-raw-mime.ts';
import type { GraphMailbox, StoredGraphMessage } from './graph-store.ts';
import type { MsIdentity } from './ms-identity.ts';

/**
 * What the Graph write routes share: the emulator's per-request guard followed by a scope check
 * (real Graph refuses a token whose grant lacks the permission with 403 ErrorAccessDenied; reads
 * are not checked here), and the answers they refuse with.
 */
export type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | undefined>;
}>;
export type Guard = (req: Req, reply: FastifyReply, route: string) => Promise<GraphMailbox | null>;
export type WriteScope = 'Mail.Send' | 'Mail.ReadWrite';
export type ScopedGuard = (
  req: Req,
  reply: FastifyReply,
  route: string,
  scope: WriteScope,
) => Promise<GraphMailbox | null>;

export function scopedGuard(guard: Guard, identity: MsIdentity): ScopedGuard {
  return async (req, reply, route, scope) => {
    const mb = await guard(req, reply, route);
    if (!mb) {
      return null;
    }
    if (!identity.grantOf(bearerToken(req))?.scopes.includes(scope)) {
      await reply
        .code(403)
        .send(
          graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
        );
      return null;
    }
    return mb;
  };
}

export const refuse = (reply: FastifyReply, r: GraphRefusal) =>
  reply.code(r.status).send(graphError(r.code, r.message));

export const notFound = (reply: FastifyReply) =>
  reply
    .code(404)
    .send(graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));

/**
 * The draft a route names, or null once it has answered: 404 for an unknown id, 400
 * ErrorInvalidRequest (`notDraft`) for a message that is no longer a draft.
 */
export async function draftOrAnswer(
  reply: FastifyReply,
  mb: GraphMailbox,
  id: string | undefined,
  notDraft: string,
): Promise<StoredGraphMessage | null> {
  const draft = mb.messages.get(id ?? '');
  if (!draft) {
    await notFound(reply);
    return null;
  }
  if (!draft.json.isDraft) {
    await refuse(reply, { status: 400, code: 'ErrorInvalidRequest', message: notDraft });
    return null;
  }
  return draft;
}

export const invalidBase64: GraphRefusal = {
  status: 400,
  code: 'ErrorMimeContentInvalidBase64String',
  message: 'Invalid base64 string for MIME content.',
};

/** Base64 MIME from the client, with what Exchange adds when the sender left it out. */
export function completeMime(raw: Buffer, from: string): Buffer {
  let out = withDefaultHeader(raw, 'From', from);
  out = withDefaultHeader(out, 'Message-ID', exchangeMessageId());
  return withDefaultHeader(out, 'Date', new Date().toUTCString());
}
