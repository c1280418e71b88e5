import { isOwned, type OwnedKind } from '../db/read-models/owned.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { NotFoundError } from '../errors.ts';

const NAMES: Record<OwnedKind, string> = {
  mailbox: 'mailbox',
  email: 'email',
  person: 'person',
  company: 'company',
  webhook: 'webhook',
  calendarEvent: 'calendar event',
};

/** Throws "not found" unless `id` is a `kind` of the scope's workspace (another's is not found). */
export async function requireOwned(
  scope: WorkspaceScope,
  kind: OwnedKind,
  id: string,
): Promise<void> {
  if (!(await isOwned(scope, kind, id))) {
    throw new NotFoundError(`${NAMES[kind]} ${id} not found`);
  }
}
