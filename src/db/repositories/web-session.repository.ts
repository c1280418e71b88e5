import { z } from 'zod';
import { queryRow, run, type Db } from '../sql.ts';

/** Web sessions (migration …130000_web_session). */
export interface WebSession {
  keyId: string;
  workspaceId: string;
  csrfToken: string;
}

export async function insertWebSession(
  db: Db,
  row: {
    tokenHash: string;
    keyId: string;
    workspaceId: string;
    csrfToken: string;
    ttlSeconds: number;
  },
): Promise<void> {
  await run(
    db,
    `insert into web_session (token_hash, api_key_id, workspace_id, csrf_token, expires_at)
     values (?, ?, ?, ?, now() + make_interval(secs => ?))`,
    [row.tokenHash, row.keyId, row.workspaceId, row.csrfToken, row.ttlSeconds],
  );
}

const sessionRow = z.object({
  api_key_id: z.string(),
  workspace_id: z.string(),
  csrf_token: z.string(),
});

/** The live session with this token hash: not expired, and its key not revoked. */
export async function findWebSession(db: Db, tokenHash: string): Promise<WebSession | null> {
  const r = await queryRow(
    db,
    sessionRow,
    `select s.api_key_id, s.workspace_id, s.csrf_token
       from web_session s join api_key k on k.id = s.api_key_id
      where s.token_hash = ? and s.expires_at > now() and k.revoked_at is null`,
    [tokenHash],
  );
  return r ? { keyId: r.api_key_id, workspaceId: r.workspace_id, csrfToken: r.csrf_token } : null;
}

/** Ends a session, and sweeps expired ones while at it. */
export async function deleteWebSession(db: Db, tokenHash: string): Promise<void> {
  await run(db, `delete from web_session where token_hash = ? or expires_at < now()`, [tokenHash]);
}
