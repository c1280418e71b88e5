import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorAuth } from './emulator-auth.ts';
import type { GeneratedUsers, GeneratedUsersOptions } from './generated-users.ts';
import type { SentLog } from './gmail-sent-log.ts';
import type { GmailStore } from './gmail-store.ts';
import { NOT_FOUND } from './google-error.ts';

/**
 * The Gmail part of the emulator's `/__control` interface, for tests, the demo and the benchmark:
 * add users and messages, delete and relabel messages (each change lands in the history log as
 * Gmail's would), expire history (so `history.list` answers 404), revoke a user's grant and read
 * what a user sent through `messages.send`, and make many users at once (generated-users.ts).
 */
type Req = FastifyRequest<{ Params: Record<string, string> }>;

export function registerGmailControlRoutes(
  app: FastifyInstance,
  deps: {
    store: GmailStore;
    auth: EmulatorAuth;
    sentLog: SentLog;
    generate: (options: GeneratedUsersOptions) => GeneratedUsers;
  },
): void {
  const { store, auth, sentLog } = deps;
  // Synchronous handlers answer with reply.send (fastify ignores a sync handler's return value).
  const param = (req: Req, name: string) => req.params[name] ?? '';
  // A grant with the scopes named (the emulator's defaults otherwise), to test a grant too narrow.
  app.post('/__control/users', (req, reply) => {
    const { email, scopes } = req.body as { email: string; scopes?: string[] };
    store.user(email);
    return reply.send({
      email: email.toLowerCase(),
      refreshToken: auth.issueRefreshToken(email, scopes),
    });
  });
  // Users 0..count-1, made on first use; the answer says how to name each and its refresh token.
  app.post('/__control/generated-users', (req, reply) => {
    const body = req.body as GeneratedUsersOptions;
    const generated = deps.generate(body);
    return reply.send({
      count: generated.count,
      messagesPerUser: generated.messagesPerUser,
      email: generated.email(0).replace('0', '{n}'),
      refreshToken: generated.refreshToken(0).replace(/0$/, '{n}'),
    });
  });
  app.post('/__control/users/:email/messages', (req: Req, reply) => {
    const body = req.body as { raw: string; labelIds?: string[] };
    const m = store.addMessage(param(req, 'email'), Buffer.from(body.raw, 'base64'), body.labelIds);
    return reply.send({ id: m.id, threadId: m.threadId });
  });
  app.delete('/__control/users/:email/messages/:id', (req: Req, reply) =>
    store.deleteMessage(param(req, 'email'), param(req, 'id'))
      ? reply.send({ deleted: true })
      : reply.code(404).send(NOT_FOUND),
  );
  app.post('/__control/users/:email/messages/:id/labels', (req: Req, reply) => {
    const body = req.body as { add?: string[]; remove?: string[] };
    const m = store.relabel(
      param(req, 'email'),
      param(req, 'id'),
      body.add ?? [],
      body.remove ?? [],
    );
    return m ? reply.send({ id: m.id, labelIds: m.labelIds }) : reply.code(404).send(NOT_FOUND);
  });
  app.post('/__control/users/:email/expire-history', (req: Req, reply) => {
    store.expireHistory(param(req, 'email'));
    return reply.send({ expired: true });
  });
  app.get('/__control/users/:email/sent', async (req: Req) => ({
    items: await sentLog.items(param(req, 'email')),
  }));
  app.post('/__control/users/:email/revoke', (req: Req, reply) => {
    auth.revokeUser(param(req, 'email'));
    return reply.send({ revoked: true });
  });
}
