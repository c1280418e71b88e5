import { z } from 'zod';
import { AUTO_CREATE_POLICIES } from '../../crm/enrichment-settings.ts';
import type { MailboxSummary, WorkspaceView } from '../../read-models/operator-lists.schema.ts';
import { bigintCount, timestamptz } from '../columns.ts';
import { queryRows, type Db } from '../sql.ts';

/** The rows behind `workspace:list` and `mailbox:list`, oldest first. */
const workspaceRow = z.object({
  id: z.string(),
  name: z.string(),
  internal_domains: z.array(z.string()),
  blocklist: z.array(z.string()),
  policy: z.enum(AUTO_CREATE_POLICIES).nullable(),
  mailboxes: bigintCount,
  created_at: timestamptz,
});

/** Every workspace, or the one with this id (an empty list when there is none). */
export async function listWorkspaces(db: Db, id?: string): Promise<WorkspaceView[]> {
  const rows = await queryRows(
    db,
    workspaceRow,
    `select w.id, w.name, w.internal_domains, w.blocklist,
            w.settings ->> 'autoCreatePolicy' as policy,
            (select count(*) from mailbox m where m.workspace_id = w.id) as mailboxes,
            w.created_at
       from workspace w
      where (?::uuid is null or w.id = ?::uuid)
      order by w.created_at, w.id`,
    [id ?? null, id ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    internalDomains: r.internal_domains,
    blocklist: r.blocklist,
    autoCreatePolicy: r.policy ?? 'sent_and_received',
    mailboxes: r.mailboxes,
    createdAt: r.created_at.toISOString(),
  }));
}

const mailboxRow = z.object({
  id: z.string(),
  workspace_id: z.string(),
  email: z.string(),
  provider: z.enum(['google', 'microsoft']),
  status: z.enum(['active', 'syncing', 'reauth_required', 'error', 'disconnected']),
  auto_create_policy: z.enum(AUTO_CREATE_POLICIES),
  last_synced_at: timestamptz.nullable(),
  last_error: z.string().nullable(),
  created_at: timestamptz,
});

/** The mailboxes of one workspace, or of all when no workspace is given. */
export async function listMailboxes(db: Db, workspaceId?: string): Promise<MailboxSummary[]> {
  const rows = await queryRows(
    db,
    mailboxRow,
    `select id, workspace_id, email, provider, status, auto_create_policy, last_synced_at,
            last_error, created_at
       from mailbox
      where (?::uuid is null or workspace_id = ?::uuid)
      order by created_at, id`,
    [workspaceId ?? null, workspaceId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    workspaceId: r.workspace_id,
    email: r.email,
    provider: r.provider,
    status: r.status,
    autoCreatePolicy: r.auto_create_policy,
    lastSyncedAt: r.last_synced_at?.toISOString() ?? null,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
  }));
}
