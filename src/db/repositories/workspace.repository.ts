import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
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
