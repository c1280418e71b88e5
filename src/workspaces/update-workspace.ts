import type { EntityManager } from '@mikro-orm/postgresql';
import type { AutoCreatePolicy } from '../crm/enrichment-settings.ts';
import { listWorkspaces } from '../db/read-models/operator-lists.ts';
import { patchWorkspace } from '../db/repositories/workspace.repository.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { WorkspaceView } from '../read-models/operator-lists.schema.ts';
import { cleanList } from './create-workspace.ts';

export interface UpdateWorkspaceInput {
  workspaceId: string;
  name?: string;
  /** Replaces the internal domains (an empty list clears them). */
  internalDomains?: readonly string[];
  /** Replaces the blocklist (an empty list clears it). */
  blocklist?: readonly string[];
  /** The workspace's default for new mailboxes, applied to its existing mailboxes too. */
  autoCreatePolicy?: AutoCreatePolicy;
}

/**
 * Changes a workspace's settings. The rules read them when mail or a calendar is next synced;
 * what is already stored is not re-classified (a resync does not re-classify either: it skips
 * stored messages).
 */
export async function updateWorkspace(
  em: EntityManager,
  input: UpdateWorkspaceInput,
): Promise<WorkspaceView> {
  const { workspaceId, name, internalDomains, blocklist, autoCreatePolicy } = input;
  if (
    name === undefined &&
    internalDomains === undefined &&
    blocklist === undefined &&
    autoCreatePolicy === undefined
  ) {
    throw new InvalidInputError('nothing to change: give a name, domains, a blocklist or a policy');
  }
  const found = await patchWorkspace(em, workspaceId, {
    ...(name === undefined ? {} : { name }),
    ...(internalDomains === undefined ? {} : { internalDomains: cleanList(internalDomains) }),
    ...(blocklist === undefined ? {} : { blocklist: cleanList(blocklist) }),
    ...(autoCreatePolicy === undefined ? {} : { autoCreatePolicy }),
  });
  const [view] = found ? await listWorkspaces(em, workspaceId) : [];
  if (!view) {
    throw new NotFoundError(`workspace ${workspaceId} not found`);
  }
  return view;
}
