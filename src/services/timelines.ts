import { timeline, type TimelineRow } from '../db/read-models/api-timeline.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { requireOwned } from './require-owned.ts';

/**
 * Person and company timelines: activities newest first, each with the email or meeting it is
 * about. Engagement (opens, clicks) is not tracked yet, so items carry no `engagement`.
 */
export interface TimelinePage {
  /** The previous page's last row: its instant (`TimelineRow.at`) and id. */
  after: { at: string; id: string } | null;
  limit: number;
}

export async function personTimeline(
  scope: WorkspaceScope,
  personId: string,
  page: TimelinePage,
): Promise<TimelineRow[]> {
  await requireOwned(scope, 'person', personId);
  return timeline(scope, { of: { personId }, ...page });
}

export async function companyTimeline(
  scope: WorkspaceScope,
  companyId: string,
  page: TimelinePage,
): Promise<TimelineRow[]> {
  await requireOwned(scope, 'company', companyId);
  return timeline(scope, { of: { companyId }, ...page });
}
