import { companyViewSchema, timelineItemSchema } from '../../../read-models/crm.schema.ts';
import { companyListQuery, getCompany, listCompaniesPage } from '../../../services/companies.ts';
import { companyTimelinePage, timelineQuery } from '../../../services/timelines.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

/** `GET /companies`, `GET /companies/{id}`, `GET /companies/{id}/timeline`. */
export const companyRoutes: ApiRoutes = (app) => {
  app.get(
    '/companies',
    {
      schema: {
        tags: ['companies'],
        summary: 'Companies of the workspace with their number of people, by domain',
        querystring: companyListQuery,
        response: { 200: listOf(companyViewSchema), ...commonErrors },
      },
    },
    async (req) => listCompaniesPage(scopeOf(req), req.query),
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
    async (req) => companyTimelinePage(scopeOf(req), req.params.id, req.query),
  );
};
