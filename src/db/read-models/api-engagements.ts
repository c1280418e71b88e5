import { z } from 'zod';
import {
  engagementItemSchema,
  type EngagementItem,
} from '../../read-models/api-engagement.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { isoMs, isoUs } from './email-document.ts';

/**
 * The engagements API's reads of one email's hits, through the request's `WorkspaceScope`.
 *
 * Order: newest first (`at desc, id desc`, served by `engagement_hit_email_idx`); the keyset is
 * the last row's `at` with PostgreSQL's microseconds and its id, so hits of the same millisecond
 * are neither skipped nor repeated.
 */
export interface EngagementKey {
  at: string;
  id: string;
}

export interface EngagementRow {
  item: EngagementItem;
  key: EngagementKey;
}

const Row = z.object({ j: engagementItemSchema, at: z.string() });

/** Up to `limit` hits of email `emailId`, newest first, after `after`. */
export async function engagementRows(
  scope: WorkspaceScope,
  emailId: string,
  after: EngagementKey | null,
  limit: number,
): Promise<EngagementRow[]> {
  const keyset = after === null ? '' : 'and (h.at, h.id) < (?::timestamptz, ?::bigint)';
  const rows = await scope.rows(
    Row,
    `select json_build_object('id', h.id::text, 'type', h.kind, 'url', h.url,
       'personEmail', t.recipient, 'classification', h.classification, 'reason', h.reason,
       'attribution', t.attribution, 'method', h.method, 'userAgent', h.user_agent,
       'occurredAt', ${isoMs('h.at')}) as j,
       ${isoUs('h.at')} as at
       from engagement_hit h
       join tracking_token t on t.token_id = h.token_id
      where h.email_id = ? and h.workspace_id = :workspace ${keyset}
      order by h.at desc, h.id desc
      limit ?`,
    [emailId, ...(after === null ? [] : [after.at, after.id]), limit],
  );
  return rows.map((r) => ({ item: r.j, key: { at: r.at, id: r.j.id } }));
}

/** How many hits of one kind, link, classification and reason an email has. */
export interface EngagementTally {
  type: 'open' | 'click';
  url: string | null;
  classification: 'human' | 'machine';
  reason: string | null;
  n: number;
}

const TallyRow = z.object({
  type: z.enum(['open', 'click']),
  url: z.string().nullable(),
  classification: z.enum(['human', 'machine']),
  reason: z.string().nullable(),
  n: z.number().int(),
});

/** Every hit of email `emailId`, grouped (one statement over the email's index range). */
export async function engagementTallies(
  scope: WorkspaceScope,
  emailId: string,
): Promise<EngagementTally[]> {
  return scope.rows(
    TallyRow,
    `select h.kind as type, h.url, h.classification, h.reason, count(*)::int as n
       from engagement_hit h
      where h.email_id = ? and h.workspace_id = :workspace
      group by h.kind, h.url, h.classification, h.reason
      order by h.kind, h.url, h.classification, h.reason`,
    [emailId],
  );
}
