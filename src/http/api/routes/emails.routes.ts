import { z } from 'zod';
import { emailDetailSchema, emailListItemSchema } from '../../../read-models/api-email.schema.ts';
import { emailListQuery, searchEmailPage } from '../../../services/email-list-query.ts';
import { getEmail, getEmailThread } from '../../../services/emails.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

/** `GET /emails`, `GET /emails/{id}`, `GET /emails/{id}/thread`. */
export const emailRoutes: ApiRoutes = (app) => {
  app.get(
    '/emails',
    {
      schema: {
        tags: ['emails'],
        summary: 'The workspace’s emails, newest first, or best match first with q',
        querystring: emailListQuery,
        response: { 200: listOf(emailListItemSchema), ...commonErrors },
      },
    },
    async (req) => searchEmailPage(scopeOf(req), req.query),
  );
  app.get(
    '/emails/:id',
    {
      schema: {
        tags: ['emails'],
        summary: 'One email with its text, sanitised HTML, attachments and invitation',
        params: idParams,
        response: { 200: emailDetailSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => getEmail(scopeOf(req), req.params.id),
  );
  app.get(
    '/emails/:id/thread',
    {
      schema: {
        tags: ['emails'],
        summary: 'The conversation the email is part of, oldest first',
        params: idParams,
        querystring: z.object({
          includeDeleted: z
            .enum(['true', 'false'])
            .default('false')
            .describe('also emails the provider deleted'),
        }),
        response: {
          200: z.object({ items: z.array(emailListItemSchema) }),
          ...commonErrors,
          ...notFound,
        },
      },
    },
    async (req) => ({
      items: await getEmailThread(scopeOf(req), req.params.id, req.query.includeDeleted === 'true'),
    }),
  );
};
