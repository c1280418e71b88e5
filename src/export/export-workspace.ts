import type { EntityManager } from '@mikro-orm/postgresql';
import {
  exportActivities,
  exportCompanies,
  exportEmails,
  exportEngagements,
  exportEvents,
  exportPeople,
} from '../db/read-models/export.ts';
import type { WorkspaceExport } from '../read-models/export.schema.ts';

export type { WorkspaceExport } from '../read-models/export.schema.ts';

/** The workspace's CRM-visible data in product.md's export shape (see export.schema.ts). */
export async function exportWorkspace(
  em: EntityManager,
  workspaceId: string,
): Promise<WorkspaceExport> {
  const people = await exportPeople(em, workspaceId);
  const companies = await exportCompanies(em, workspaceId);
  const emails = await exportEmails(em, workspaceId);
  const activities = await exportActivities(em, workspaceId);
  const events = await exportEvents(em, workspaceId);
  const engagements = await exportEngagements(em, workspaceId);
  return { people, companies, emails, activities, events, engagements };
}
