import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../errors.ts';
import {
  findApiKeyByPrefix,
  insertApiKey,
  revokeApiKey as revokeApiKeyRow,
  touchApiKey,
} from '../db/repositories/api-key.repository.ts';
import { findWorkspace } from '../db/repositories/workspace.repository.ts';
import { apiKeyMatches, apiKeyPrefix, generateApiKey } from '../security/api-key.ts';

/** `apikey:create`: the key is returned this once; only its hash is stored. */
export async function createApiKey(
  em: EntityManager,
  input: { workspaceId: string; name: string },
): Promise<{ id: string; key: string }> {
  if ((await findWorkspace(em, input.workspaceId)) === null) {
    throw new NotFoundError(`workspace ${input.workspaceId} not found`);
  }
  const { key, prefix, hash } = generateApiKey();
  const id = await insertApiKey(em, {
    workspaceId: input.workspaceId,
    name: input.name,
    prefix,
    keyHash: hash,
  });
  return { id, key };
}

/** `apikey:revoke`: requests with the key are refused from now on. */
export async function revokeApiKey(em: EntityManager, id: string): Promise<{ revoked: string }> {
  if (!(await revokeApiKeyRow(em, id))) {
    throw new NotFoundError(`API key ${id} not found`);
  }
  return { revoked: id };
}

/**
 * The workspace a presented key belongs to, or null when the key is malformed, unknown, revoked
 * or wrong (all the same to the caller: a 401 that says nothing about which).
 */
export async function authenticateApiKey(
  em: EntityManager,
  key: string,
): Promise<{ keyId: string; workspaceId: string } | null> {
  const prefix = apiKeyPrefix(key);
  if (prefix === null) {
    return null;
  }
  const stored = await findApiKeyByPrefix(em, prefix);
  if (stored === null || stored.revoked || !apiKeyMatches(key, stored.keyHash)) {
    return null;
  }
  await touchApiKey(em, stored.id);
  return { keyId: stored.id, workspaceId: stored.workspaceId };
}
