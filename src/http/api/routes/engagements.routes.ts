import { engagementPageSchema } from '../../../read-models/api-engagement.schema.ts';
import { emailEngagementPage, engagementQuery } from '../../../services/engagements.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, notFound } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

/** `GET /emails/{id}/engagements`: the email's tracking hits and their counts. */
export const engagementRoutes: ApiRoutes = (app) => {
  app.get(
    '/emails/:id/engagements',
    {
      schema: {
        tags: ['emails'],
        summary:
          'Opens and clicks of the email, newest first, machine hits included with their reason; ' +
          'counts over all of them',
        params: idParams,
        querystring: engagementQuery,
        response: { 200: engagementPageSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => emailEngagementPage(scopeOf(req), req.params.id, req.query),
  );
};
