import { personViewSchema, timelineItemSchema } from '../../../read-models/crm.schema.ts';
import {
  getPerson,
  listPeoplePage,
  peopleListQuery,
  personEditBody,
  updatePerson,
} from '../../../services/people.ts';
import { personTimelinePage, timelineQuery } from '../../../services/timelines.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

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
        querystring: peopleListQuery,
        response: { 200: listOf(personViewSchema), ...commonErrors },
      },
    },
    async (req) => listPeoplePage(scopeOf(req), req.query),
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
        body: personEditBody,
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
    async (req) => personTimelinePage(scopeOf(req), req.params.id, req.query),
  );
};
