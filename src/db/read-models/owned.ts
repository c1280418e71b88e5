import { z } from 'zod';
import type { WorkspaceScope } from '../workspace-scope.ts';

/** The workspace-owned tables an API path may name by id. */
const TABLES = {
  mailbox: 'mailbox',
  email: 'email',
  person: 'person',
  company: 'company',
  webhook: 'webhook',
  calendarEvent: 'calendar_event',
} as const;
export type OwnedKind = keyof typeof TABLES;

/**
 * Whether the row `id` of `kind` belongs to the scope's workspace. Services that reuse an
 * unscoped use case (mailbox status, disconnect, webhook deliveries) check this first; another
 * workspace's id is then "not found", exactly like an id that does not exist.
 */
export async function isOwned(
  scope: WorkspaceScope,
  kind: OwnedKind,
  id: string,
): Promise<boolean> {
  if (!z.uuid().safeParse(id).success) {
    return false;
  }
  const row = await scope.row(
    z.object({ id: z.string() }),
    `select id from ${TABLES[kind]} where id = ? and workspace_id = :workspace`,
    [id],
  );
  return row !== null;
}

/** The ids of the workspace's rows of `kind`, oldest first. */
export async function ownedIds(scope: WorkspaceScope, kind: OwnedKind): Promise<string[]> {
  const rows = await scope.rows(
    z.object({ id: z.string() }),
    `select id from ${TABLES[kind]} where workspace_id = :workspace order by created_at, id`,
  );
  return rows.map((r) => r.id);
}
