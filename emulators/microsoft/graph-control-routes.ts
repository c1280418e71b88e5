import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphOutbox } from './graph-outbox.ts';
import { sentItemView } from './graph-sent-log.ts';
import type { GraphStore, StoredGraphMessage, WellKnownFolder } from './graph-store.ts';
import type { MsIdentity } from './ms-identity.ts';

/**
 * The mail part of the Graph emulator's `/__control` interface, for tests, the demo and the
 * benchmark: add mailboxes (with the grant's scopes) and raw MIME messages, read what a mailbox sent, delete and move messages (each change lands in
 * the mailbox's change log as Outlook's would), expire delta tokens (410 syncStateNotFound) and
 * revoke a mailbox's grant. Calendar control sits with the calendar routes.
 */
type Req = FastifyRequest<{ Params: Record<string, string> }>;

export function registerGraphMailControlRoutes(
  app: FastifyInstance,
  deps: {
    store: GraphStore;
    identity: MsIdentity;
    outbox: GraphOutbox;
    addMime: (email: string, folder: WellKnownFolder, raw: Buffer) => Promise<StoredGraphMessage>;
  },
): void {
  const { store, identity } = deps;
  const param = (req: Req, name: string) => req.params[name] ?? '';
  app.post('/__control/mailboxes', (req, reply) => {
    const { email, scopes } = req.body as { email: string; scopes?: string[] };
    store.mailbox(email);
    return reply.send({
      email: email.toLowerCase(),
      refreshToken: identity.issueRefreshToken(email, scopes ?? identity.defaultScopes),
    });
  });
  app.post('/__control/mailboxes/:email/messages', async (req: Req) => {
    const body = req.body as { raw: string; folder?: WellKnownFolder };
    const stored = await deps.addMime(
      param(req, 'email'),
      body.folder ?? 'inbox',
      Buffer.from(body.raw, 'base64'),
    );
    return { id: stored.id };
  });
  app.get('/__control/mailboxes/:email/sent', async (req: Req) => ({
    items: await Promise.all(deps.outbox.sentBy(param(req, 'email')).map(sentItemView)),
  }));
  app.delete('/__control/mailboxes/:email/messages/:id', (req: Req, reply) =>
    store.delete(param(req, 'email'), param(req, 'id'))
      ? reply.send({ deleted: true })
      : reply.code(404).send({}),
  );
  app.post('/__control/mailboxes/:email/messages/:id/move', (req: Req, reply) => {
    const moved = store.move(
      param(req, 'email'),
      param(req, 'id'),
      (req.body as { folder: WellKnownFolder }).folder,
    );
    return moved ? reply.send({ id: moved.id }) : reply.code(404).send({});
  });
  app.post('/__control/mailboxes/:email/expire-delta', (req: Req, reply) => {
    store.expireDeltaTokens(param(req, 'email'));
    return reply.send({ expired: true });
  });
  app.post('/__control/mailboxes/:email/revoke', (req: Req, reply) => {
    identity.revoke(param(req, 'email'));
    return reply.send({ revoked: true });
  });
}
