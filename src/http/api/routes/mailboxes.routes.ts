import { z } from 'zod';
import { mailboxStatusSchema } from '../../../read-models/mailbox-status.schema.ts';
import {
  disconnectWorkspaceMailbox,
  getMailbox,
  listMailboxes,
  mailboxConnectUrl,
  queueMailboxSync,
} from '../../../services/mailboxes.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, conflict, idParams, notFound, unavailable } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

const purgeQuery = z.object({
  purge: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe(
      "also delete the mailbox's emails, calendar events and the activities only they support, in the background (people and companies stay)",
    ),
});

/**
 * `GET /mailboxes`, `GET /mailboxes/{id}` (`mailbox:status`'s object per mailbox),
 * `POST /mailboxes/{id}/sync`, `DELETE /mailboxes/{id}?purge=` and `GET /connect/{provider}`.
 */
export const mailboxRoutes: ApiRoutes = (app, deps) => {
  const em = () => deps.services.orm.em.fork();
  app.get(
    '/mailboxes',
    {
      schema: {
        tags: ['mailboxes'],
        summary: "The workspace's mailboxes with their status",
        response: { 200: z.object({ items: z.array(mailboxStatusSchema) }), ...commonErrors },
      },
    },
    async (req) => ({ items: await listMailboxes(scopeOf(req), em()) }),
  );
  app.get(
    '/mailboxes/:id',
    {
      schema: {
        tags: ['mailboxes'],
        summary: "One mailbox's status: stages, backfill done/total and ETA, last error",
        params: idParams,
        response: { 200: mailboxStatusSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => getMailbox(scopeOf(req), em(), req.params.id),
  );
  app.post(
    '/mailboxes/:id/sync',
    {
      schema: {
        tags: ['mailboxes'],
        summary: 'Queues a sync of the mailbox now (a no-op while one is queued)',
        params: idParams,
        response: {
          202: z.object({ queued: z.literal(true) }),
          ...commonErrors,
          ...notFound,
          ...conflict,
          ...unavailable,
        },
      },
    },
    async (req, reply) => {
      const queued = await queueMailboxSync(scopeOf(req), em(), deps.mailboxJobs, req.params.id);
      return reply.code(202).send(queued);
    },
  );
  app.delete(
    '/mailboxes/:id',
    {
      schema: {
        tags: ['mailboxes'],
        summary:
          'Disconnects the mailbox: stops syncing, revokes the grant where the provider allows; purge=true also deletes its data in the background',
        params: idParams,
        querystring: purgeQuery,
        response: { 200: mailboxStatusSchema, ...commonErrors, ...notFound, ...unavailable },
      },
    },
    async (req) =>
      disconnectWorkspaceMailbox(
        scopeOf(req),
        {
          em: em(),
          jobs: deps.mailboxJobs,
          revokeGrant: deps.revokeGrant,
          closePush: deps.closePush,
          purges: deps.purges,
        },
        req.params.id,
        { purge: req.query.purge },
      ),
  );
  app.get(
    '/connect/:provider',
    {
      schema: {
        tags: ['mailboxes'],
        summary: "An OAuth start URL that connects a mailbox to the key's workspace",
        params: z.object({ provider: z.enum(['google', 'microsoft']) }),
        response: {
          200: z.object({
            url: z.string().describe('open it in a browser; valid until expiresAt'),
            expiresAt: z.string(),
          }),
          ...commonErrors,
        },
      },
    },
    async (req) => mailboxConnectUrl(scopeOf(req), em(), deps.services.config, req.params.provider),
  );
};
