import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { queryRow, queryRows, run, type Db } from '../sql.ts';

/** API keys (migration 20261202070000): the hash and lookup prefix, never the key. */
const keyRow = z.object({
  id: z.string(),
  workspace_id: z.string(),
  key_hash: z.string(),
  revoked_at: z.coerce.date().nullable(),
});

export interface StoredApiKey {
  id: string;
  workspaceId: string;
  keyHash: string;
  revoked: boolean;
}

export async function insertApiKey(
  db: Db,
  input: { workspaceId: string; name: string; prefix: string; keyHash: string },
): Promise<string> {
  const id = randomUUID();
  await run(
    db,
    'insert into api_key (id, workspace_id, name, prefix, key_hash) values (?, ?, ?, ?, ?)',
    [id, input.workspaceId, input.name, input.prefix, input.keyHash],
  );
  return id;
}

export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<StoredApiKey | null> {
  const row = await queryRow(
    db,
    keyRow,
    'select id, workspace_id, key_hash, revoked_at from api_key where prefix = ?',
    [prefix],
  );
  return row === null
    ? null
    : {
        id: row.id,
        workspaceId: row.workspace_id,
        keyHash: row.key_hash,
        revoked: row.revoked_at !== null,
      };
}

/** Revokes a key; false when there is no such key (a revoked one stays revoked). */
export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    z.object({ id: z.string() }),
    'update api_key set revoked_at = coalesce(revoked_at, now()) where id = ? returning id',
    [id],
  );
  return rows.length > 0;
}

/**
 * Records that the key was used, at most once a minute per key: a busy key would otherwise write
 * its row on every request.
 */
export async function touchApiKey(db: Db, id: string): Promise<void> {
  await run(
    db,
    `update api_key set last_used_at = now()
      where id = ? and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [id],
  );
}
