import { z } from 'zod';
import { mailboxStatusSchema } from '../../../read-models/mailbox-status.schema.ts';
import { getMailbox, listMailboxes } from '../../../services/mailboxes.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

/** `GET /mailboxes`, `GET /mailboxes/{id}`: `mailbox:status`'s object per mailbox. */
export const mailboxRoutes: ApiRoutes = (app, deps) => {
  app.get(
    '/mailboxes',
    {
      schema: {
        tags: ['mailboxes'],
        summary: "The workspace's mailboxes with their status",
        response: { 200: z.object({ items: z.array(mailboxStatusSchema) }), ...commonErrors },
      },
    },
    async (req) => ({ items: await listMailboxes(scopeOf(req), deps.services.orm.em.fork()) }),
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
    async (req) => getMailbox(scopeOf(req), deps.services.orm.em.fork(), req.params.id),
  );
};
