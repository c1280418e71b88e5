import { z } from 'zod';
import { personViewSchema, timelineItemSchema } from '../../../read-models/crm.schema.ts';
import { getPerson, listPeople, updatePerson } from '../../../services/people.ts';
import { personTimeline } from '../../../services/timelines.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import { cursorParam, decodeCursor, limitParam, page } from '../../../services/pagination.ts';
import type { ApiRoutes } from '../api-app.ts';
import { timelineCursor, timelineQuery } from './timeline-params.ts';

const peopleCursor = z.tuple([z.string(), z.uuid()]);

const personEditSchema = z.strictObject({
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
  companyId: z.uuid().nullable().optional().describe('a company of the workspace; null unlinks'),
});

/**
 * `GET /people`, `GET/PATCH /people/{id}`, `GET /people/{id}/timeline`. A PATCHed field is
 * recorded as edited and never overwritten by sync.
 */
export const peopleRoutes: ApiRoutes = (app) => {
  app.get(
    '/people',
    {
      schema: {
        tags: ['people'],
        summary: 'People of the workspace, by primary address',
        querystring: z.object({
          q: z
            .string()
            .max(200)
            .optional()
            .describe('case-insensitive substring of the name or of any address'),
          email: z.string().max(320).optional().describe('one of the person’s addresses, exactly'),
          companyId: z.uuid().optional(),
          limit: limitParam,
          cursor: cursorParam,
        }),
        response: { 200: listOf(personViewSchema), ...commonErrors },
      },
    },
    async (req) => {
      const { q, email, companyId, limit, cursor } = req.query;
      const after = decodeCursor(cursor, peopleCursor);
      const rows = await listPeople(
        scopeOf(req),
        { q, email, companyId },
        { after: after && { email: after[0], id: after[1] }, limit: limit + 1 },
      );
      return page(rows, limit, (p) => [p.email, p.id]);
    },
  );
  app.get(
    '/people/:id',
    {
      schema: {
        tags: ['people'],
        summary: 'One person',
        params: idParams,
        response: { 200: personViewSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => getPerson(scopeOf(req), req.params.id),
  );
  app.patch(
    '/people/:id',
    {
      schema: {
        tags: ['people'],
        summary: 'Edit a person; the edited fields are never overwritten by sync',
        params: idParams,
        body: personEditSchema,
        response: { 200: personViewSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => updatePerson(scopeOf(req), req.params.id, req.body),
  );
  app.get(
    '/people/:id/timeline',
    {
      schema: {
        tags: ['people'],
        summary: 'The person’s activities, newest first, each with its email or meeting',
        params: idParams,
        querystring: timelineQuery,
        response: { 200: listOf(timelineItemSchema), ...commonErrors, ...notFound },
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const after = decodeCursor(cursor, timelineCursor);
      const rows = await personTimeline(scopeOf(req), req.params.id, {
        after: after && { at: after[0], id: after[1] },
        limit: limit + 1,
      });
      const result = page(rows, limit, (r) => [r.at, r.item.id]);
      return { items: result.items.map((r) => r.item), nextCursor: result.nextCursor };
    },
  );
};
