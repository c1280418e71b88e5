import { z } from 'zod';
import { eventEnvelopeSchema } from '../../../events/envelope.ts';
import { eventFeed } from '../../../services/events.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors } from '../common-schemas.ts';
import { limitParam } from '../../../services/pagination.ts';
import type { ApiRoutes } from '../api-app.ts';

/**
 * `GET /events?after&types&limit`: the pull feed of the workspace's event envelopes (the same
 * envelopes webhooks receive) in feed order. Pass `nextCursor` back as `after` to go on.
 */
export const eventRoutes: ApiRoutes = (app, deps) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'The event feed: envelopes after `after`, in feed order',
        querystring: z.object({
          after: z
            .string()
            .max(100)
            .optional()
            .describe('an event id: the feed goes on after it (absent: from the start)'),
          types: z
            .string()
            .max(2000)
            .optional()
            .describe('comma-separated event types to include (absent: every type)'),
          limit: limitParam,
        }),
        response: {
          200: z.object({
            items: z.array(eventEnvelopeSchema),
            nextCursor: z
              .string()
              .nullable()
              .describe(
                'the last event id of this page, or `after` when there is nothing newer: the next `after`',
              ),
          }),
          ...commonErrors,
        },
      },
    },
    async (req) =>
      eventFeed(scopeOf(req), deps.services.orm.em.fork(), {
        after: req.query.after,
        types: req.query.types,
        limit: req.query.limit,
      }),
  );
};
