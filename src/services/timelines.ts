import { z } from 'zod';
import { timeline, type TimelineQuery } from '../db/read-models/api-timeline.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import type { TimelineItem } from '../read-models/crm.schema.ts';
import { cursorParam, decodeCursor, limitParam, page } from './pagination.ts';
import { requireOwned } from './require-owned.ts';

/**
 * Person and company timelines: activities newest first, each with the email or meeting it is
 * about. Engagement (opens, clicks) is not tracked yet, so items carry no `engagement`.
 */
export const timelineQuery = z.object({ limit: limitParam, cursor: cursorParam });

/** A cursor: the last item's instant (to the microsecond, so ties never skip) and id. */
const cursorShape = z.tuple([z.iso.datetime(), z.uuid()]);

type TimelinePage = { items: TimelineItem[]; nextCursor: string | null };

async function timelinePage(
  scope: WorkspaceScope,
  of: TimelineQuery['of'],
  query: z.infer<typeof timelineQuery>,
): Promise<TimelinePage> {
  // The cursor is checked first: a malformed one is a 400 whatever the id.
  const after = decodeCursor(query.cursor, cursorShape);
  if ('personId' in of) {
    await requireOwned(scope, 'person', of.personId);
  } else {
    await requireOwned(scope, 'company', of.companyId);
  }
  const rows = await timeline(scope, {
    of,
    after: after && { at: after[0], id: after[1] },
    limit: query.limit + 1,
  });
  const result = page(rows, query.limit, (r) => [r.at, r.item.id]);
  return { items: result.items.map((r) => r.item), nextCursor: result.nextCursor };
}

export async function personTimelinePage(
  scope: WorkspaceScope,
  personId: string,
  query: z.infer<typeof timelineQuery>,
): Promise<TimelinePage> {
  return timelinePage(scope, { personId }, query);
}

export async function companyTimelinePage(
  scope: WorkspaceScope,
  companyId: string,
  query: z.infer<typeof timelineQuery>,
): Promise<TimelinePage> {
  return timelinePage(scope, { companyId }, query);
}
