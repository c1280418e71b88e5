import type { EntityManager } from '@mikro-orm/postgresql';
import { insertWorkspace } from '../db/repositories/workspace.repository.ts';

export interface CreateWorkspaceInput {
  name: string;
  internalDomains?: readonly string[];
  blocklist?: readonly string[];
}

/** Creates a workspace; internal domains and blocklist entries are lower-cased and deduplicated. */
export async function createWorkspace(
  em: EntityManager,
  input: CreateWorkspaceInput,
): Promise<string> {
  return insertWorkspace(em, {
    name: input.name,
    internalDomains: cleanList(input.internalDomains),
    blocklist: cleanList(input.blocklist),
  });
}

/** Domains and blocklist entries as stored: trimmed, lower-cased, each once. */
export const cleanList = (values: readonly string[] = []): string[] => [
  ...new Set(values.map((v) => v.trim().toLowerCase()).filter(Boolean)),
];
