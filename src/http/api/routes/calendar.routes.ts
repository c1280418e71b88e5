import { z } from 'zod';
import { calendarEventSchema } from '../../../read-models/calendar.schema.ts';
import { checkWindow, listCalendar, MAX_WINDOW_DAYS } from '../../../services/calendar.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors } from '../common-schemas.ts';
import type { ApiRoutes } from '../api-app.ts';

const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .describe(`${what}: an ISO 8601 date-time with Z or an offset`);

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
        querystring: z
          .object({
            from: instant('window start'),
            to: instant('window end (exclusive)'),
            personId: z.uuid().optional().describe('only meetings this person attends'),
            personEmail: z
              .string()
              .max(320)
              .optional()
              .describe('only meetings the person with this address attends'),
            mailboxId: z.uuid().optional().describe('only meetings in this mailbox’s calendar'),
          })
          .superRefine(checkWindow),
        response: { 200: z.object({ items: z.array(calendarEventSchema) }), ...commonErrors },
      },
    },
    async (req) => ({
      items: await listCalendar(scopeOf(req), { ...req.query, includeCancelled: true }),
    }),
  );
};
