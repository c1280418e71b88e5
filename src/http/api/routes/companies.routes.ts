import { z } from 'zod';
import { companyViewSchema, timelineItemSchema } from '../../../read-models/crm.schema.ts';
import { getCompany, listCompanies } from '../../../services/companies.ts';
import { companyTimeline } from '../../../services/timelines.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import { cursorParam, decodeCursor, limitParam, page } from '../../../services/pagination.ts';
import type { ApiRoutes } from '../api-app.ts';
import { timelineCursor, timelineQuery } from './timeline-params.ts';

const companiesCursor = z.tuple([z.string()]);

/** `GET /companies`, `GET /companies/{id}`, `GET /companies/{id}/timeline`. */
export const companyRoutes: ApiRoutes = (app) => {
  app.get(
    '/companies',
    {
      schema: {
        tags: ['companies'],
        summary: 'Companies of the workspace with their number of people, by domain',
        querystring: z.object({
          q: z
            .string()
            .max(200)
            .optional()
            .describe('case-insensitive substring of the name or the domain'),
          domain: z.string().max(253).optional().describe('exactly this domain'),
          limit: limitParam,
          cursor: cursorParam,
        }),
        response: { 200: listOf(companyViewSchema), ...commonErrors },
      },
    },
    async (req) => {
      const { q, domain, limit, cursor } = req.query;
      const after = decodeCursor(cursor, companiesCursor);
      const rows = await listCompanies(
        scopeOf(req),
        { q, domain },
        { afterDomain: after?.[0] ?? null, limit: limit + 1 },
      );
      return page(rows, limit, (c) => [c.domain]);
    },
  );
  app.get(
    '/companies/:id',
    {
      schema: {
        tags: ['companies'],
        summary: 'One company with its number of people',
        params: idParams,
        response: { 200: companyViewSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => getCompany(scopeOf(req), req.params.id),
  );
  app.get(
    '/companies/:id/timeline',
    {
      schema: {
        tags: ['companies'],
        summary: 'The company’s activities, newest first, each with its email or meeting',
        params: idParams,
        querystring: timelineQuery,
        response: { 200: listOf(timelineItemSchema), ...commonErrors, ...notFound },
      },
    },
    async (req) => {
      const { limit, cursor } = req.query;
      const after = decodeCursor(cursor, timelineCursor);
      const rows = await companyTimeline(scopeOf(req), req.params.id, {
        after: after && { at: after[0], id: after[1] },
        limit: limit + 1,
      });
      const result = page(rows, limit, (r) => [r.at, r.item.id]);
      return { items: result.items.map((r) => r.item), nextCursor: result.nextCursor };
    },
  );
};
