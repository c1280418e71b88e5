import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AutoCreatePolicy } from '../../crm/enrichment-settings.ts';
import { jsonb, queryRow, run } from '../sql.ts';
import { WorkspaceSchema, type Workspace } from '../entities/workspace.entity.ts';

export async function findWorkspace(em: EntityManager, id: string): Promise<Workspace | null> {
  return em.findOne(WorkspaceSchema, { id });
}

export async function insertWorkspace(
  em: EntityManager,
  input: Pick<Workspace, 'name' | 'internalDomains' | 'blocklist'>,
): Promise<string> {
  const workspace = em.create(WorkspaceSchema, {
    id: randomUUID(),
    name: input.name,
    internalDomains: input.internalDomains,
    blocklist: input.blocklist,
    settings: {},
    createdAt: new Date(),
  });
  await em.persist(workspace).flush();
  return workspace.id;
}

/** A bound parameter used twice in one statement (`case when ? is null … else … ? end`). */
const twice = <T>(value: T): [T, T] => [value, value];

export interface WorkspacePatch {
  name?: string;
  internalDomains?: string[];
  blocklist?: string[];
  autoCreatePolicy?: AutoCreatePolicy;
}

/**
 * Applies a patch to a workspace: the fields given replace the stored ones. A new auto-create
 * policy becomes the workspace's default and every one of its mailboxes' policy, in one
 * transaction. Returns false when there is no such workspace.
 */
export async function patchWorkspace(
  em: EntityManager,
  id: string,
  patch: WorkspacePatch,
): Promise<boolean> {
  return em.transactional(async (tx) => {
    const row = await queryRow(
      tx,
      z.object({ id: z.string() }),
      `update workspace set
         name = coalesce(?, name),
         internal_domains = case when ?::jsonb is null then internal_domains
                                 else array(select jsonb_array_elements_text(?::jsonb)) end,
         blocklist = case when ?::jsonb is null then blocklist
                          else array(select jsonb_array_elements_text(?::jsonb)) end,
         settings = case when ?::text is null then settings
                         else settings || jsonb_build_object('autoCreatePolicy', ?::text) end
       where id = ? returning id`,
      [
        patch.name ?? null,
        ...twice(patch.internalDomains === undefined ? null : jsonb(patch.internalDomains)),
        ...twice(patch.blocklist === undefined ? null : jsonb(patch.blocklist)),
        ...twice(patch.autoCreatePolicy ?? null),
        id,
      ],
    );
    if (!row) {
      return false;
    }
    if (patch.autoCreatePolicy) {
      await run(
        tx,
        'update mailbox set auto_create_policy = ?, updated_at = now() where workspace_id = ?',
        [patch.autoCreatePolicy, id],
      );
    }
    return true;
  });
}
