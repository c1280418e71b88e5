import { z } from 'zod';
import { calendarEventSchema } from '../../../read-models/calendar.schema.ts';
import { calendarItems, calendarListQuery, MAX_WINDOW_DAYS } from '../../../services/calendar.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

/**
 * `GET /calendar?from&to`: one entry per logical meeting occurrence overlapping [from, to),
 * cancelled ones included (status `cancelled`).
 */
export const calendarRoutes: ApiRoutes = (app) => {
  app.get(
    '/calendar',
    {
      schema: {
        tags: ['calendar'],
        summary: `Meetings in a window of at most ${String(MAX_WINDOW_DAYS)} days`,
        querystring: calendarListQuery,
        response: { 200: z.object({ items: z.array(calendarEventSchema) }), ...commonErrors },
      },
    },
    async (req) => calendarItems(scopeOf(req), req.query),
  );
};
