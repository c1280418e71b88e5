import { z } from 'zod';
import {
  emailAttachmentSchema,
  emailListItemSchema,
  type EmailAttachment,
  type EmailListItem,
} from '../../read-models/api-email.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { EMAIL_DOCUMENT_FIELDS, isoUs } from './email-document.ts';

/**
 * The API's email reads, every statement through the request's `WorkspaceScope`. One statement
 * per page: each row is the whole list item, participants and invitation included, built in SQL
 * (email-document.ts, shared with `export`).
 *
 * Order: newest first (`sent_at desc nulls last, id desc`, served by `email_workspace_sent_idx`);
 * with a search, by rank first. The keyset is the last row's (rank,) sent_at and id; the sent_at
 * in a cursor has PostgreSQL's microseconds so no row between two of the same millisecond is lost.
 */

export interface EmailListFilter {
  /** Normalised already (mail/search-text.ts); the `simple` configuration parses it. */
  query: string | null;
  mailboxId: string | null;
  personId: string | null;
  companyId: string | null;
  /** Lower-case, normalised address. */
  personEmail: string | null;
  /** Lower-case, ASCII domain. */
  companyDomain: string | null;
  direction: 'inbound' | 'outbound' | null;
  /** ISO instants, exclusive. */
  after: string | null;
  before: string | null;
  includeDeleted: boolean;
}

/** Where a page starts: after this row. `rank` only when the list is a search. */
export interface EmailKey {
  rank: number | null;
  sentAt: string | null;
  id: string;
}

export interface EmailListRow {
  item: EmailListItem;
  key: EmailKey;
}

const LIST_ITEM_FIELDS = `${EMAIL_DOCUMENT_FIELDS},
  'mailboxId', e.mailbox_id, 'snippet', e.snippet,
  'hasAttachments', exists (select 1 from jsonb_array_elements(e.attachments) a
                             where not coalesce((a->>'inline')::boolean, false))`;

const ListRow = z.object({
  j: emailListItemSchema,
  sort_at: z.string().nullable(),
  rank: z.number().nullable(),
});

/** `sent_at desc nulls last, id desc` resumed after (sentAt, id). */
function afterDateKey(key: EmailKey, params: unknown[]): string {
  if (key.sentAt === null) {
    params.push(key.id);
    return `(e.sent_at is null and e.id < ?::uuid)`;
  }
  params.push(key.sentAt, key.id);
  return `((e.sent_at, e.id) < (?::timestamptz, ?::uuid) or e.sent_at is null)`;
}

/** How many of the newest matches a search ranks (see listEmailRows). */
export const SEARCH_WINDOW = 1000;

/** One page (`limit + 1` rows, to tell whether there is a next one). */
export async function listEmailRows(
  scope: WorkspaceScope,
  filter: EmailListFilter,
  after: EmailKey | null,
  limit: number,
): Promise<EmailListRow[]> {
  const params: unknown[] = [];
  const where: string[] = ['e.workspace_id = :workspace'];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  const search = filter.query !== null;
  if (search) {
    // Inline, not in a CTE: the planner must see the query to choose between walking the
    // sent_at index (a common word) and the GIN index (a rare one).
    params.push(filter.query);
    where.push(`e.search @@ websearch_to_tsquery('simple', ?)`);
  }
  if (!filter.includeDeleted) {
    where.push('not e.deleted');
  }
  if (filter.mailboxId !== null) {
    add('e.mailbox_id = ?', filter.mailboxId);
  }
  if (filter.direction !== null) {
    add('e.direction = ?', filter.direction);
  }
  if (filter.after !== null) {
    add('e.sent_at > ?::timestamptz', filter.after);
  }
  if (filter.before !== null) {
    add('e.sent_at < ?::timestamptz', filter.before);
  }
  if (filter.personId !== null) {
    add(
      `exists (select 1 from email_participant ep where ep.email_id = e.id and ep.person_id = ?)`,
      filter.personId,
    );
  }
  if (filter.companyId !== null) {
    add(
      `exists (select 1 from email_participant ep where ep.email_id = e.id and ep.company_id = ?)`,
      filter.companyId,
    );
  }
  if (filter.personEmail !== null) {
    // The address itself, or any address of the person it belongs to.
    add(
      `exists (select 1 from email_participant ep where ep.email_id = e.id
                 and (ep.address = ? or ep.person_id = (select pe.person_id from person_email pe
                        where pe.workspace_id = e.workspace_id and pe.email = ?)))`,
      filter.personEmail,
      filter.personEmail,
    );
  }
  if (filter.companyDomain !== null) {
    add(
      `exists (select 1 from email_participant ep join company c on c.id = ep.company_id
                where ep.email_id = e.id and c.domain = ?)`,
      filter.companyDomain,
    );
  }
  if (!search) {
    if (after !== null) {
      where.push(afterDateKey(after, params));
    }
    params.push(limit + 1);
    const rows = await scope.rows(
      ListRow,
      `select json_build_object(${LIST_ITEM_FIELDS}) as j, ${isoUs('e.sent_at')} as sort_at,
         null::real as rank
       from email e join mailbox m on m.id = e.mailbox_id
       where ${where.join('\n         and ')}
       order by e.sent_at desc nulls last, e.id desc
       limit ?`,
      params,
    );
    return rows.map((r) => ({ item: r.j, key: { rank: r.rank, sentAt: r.sort_at, id: r.j.id } }));
  }
  // A search ranks the newest SEARCH_WINDOW matches: ranking reads each match's whole search
  // document, so ranking every match of a common word in a big mailbox costs hundreds of ms.
  // The window is found newest first (the sent_at index, or the GIN index and a top-N sort for a
  // rare word), then ranked; pages walk the ranked window with the (rank, sent_at, id) keyset.
  params.push(filter.query); // the ranking's query, after the window's conditions
  const ranked: string[] = [];
  if (after !== null) {
    params.push(after.rank ?? 0, after.rank ?? 0);
    ranked.push(`(e.rank < ?::real or (e.rank = ?::real and ${afterDateKey(after, params)}))`);
  }
  params.push(limit + 1);
  const rows = await scope.rows(
    ListRow,
    `with window_ as (
       select e.id
         from email e
        where ${where.join('\n          and ')}
        order by e.sent_at desc nulls last, e.id desc
        limit ${String(SEARCH_WINDOW)}
     ), c as (
       select ts_rank_cd(e.search, websearch_to_tsquery('simple', ?)) as rank, e.*
         from window_ w join email e on e.id = w.id
     )
     select json_build_object(${LIST_ITEM_FIELDS}) as j, ${isoUs('e.sent_at')} as sort_at,
            e.rank
       from c e join mailbox m on m.id = e.mailbox_id
      where ${ranked.length > 0 ? ranked.join(' and ') : 'true'}
      order by e.rank desc, e.sent_at desc nulls last, e.id desc
      limit ?`,
    params,
  );
  return rows.map((r) => ({ item: r.j, key: { rank: r.rank, sentAt: r.sort_at, id: r.j.id } }));
}

export interface EmailDetailRow {
  item: EmailListItem;
  textBody: string;
  textBodyTruncated: boolean;
  /** As received, not sanitised; '' when none. */
  htmlBody: string;
  htmlBodyTruncated: boolean;
  attachments: EmailAttachment[];
}

const DetailRow = z.object({
  j: emailListItemSchema,
  text_body: z.string(),
  text_body_truncated: z.boolean(),
  html_body: z.string(),
  html_body_truncated: z.boolean(),
  attachments: z.array(
    emailAttachmentSchema.extend({
      size: z.number().int().catch(0),
      inline: z.boolean().catch(false),
    }),
  ),
});

export async function emailDetailRow(
  scope: WorkspaceScope,
  id: string,
): Promise<EmailDetailRow | null> {
  const row = await scope.row(
    DetailRow,
    `select json_build_object(${LIST_ITEM_FIELDS}) as j, e.text_body, e.text_body_truncated,
       e.html_body, e.html_body_truncated, e.attachments
     from email e join mailbox m on m.id = e.mailbox_id
     where e.id = ? and e.workspace_id = :workspace`,
    [id],
  );
  if (row === null) {
    return null;
  }
  return {
    item: row.j,
    textBody: row.text_body,
    textBodyTruncated: row.text_body_truncated,
    htmlBody: row.html_body,
    htmlBodyTruncated: row.html_body_truncated,
    attachments: row.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      inline: a.inline,
    })),
  };
}

/**
 * The conversation of email `id` (same `thread_key` in the workspace), oldest first, or null when
 * `id` is not the workspace's. A message stored in two mailboxes of the workspace is one logical
 * email and shows once: the copy in `id`'s mailbox when there is one.
 */
export async function threadEmailRows(
  scope: WorkspaceScope,
  id: string,
  includeDeleted: boolean,
): Promise<EmailListItem[] | null> {
  const row = await scope.row(
    z.object({ found: z.boolean(), items: z.array(emailListItemSchema) }),
    `with start as (
       select thread_key, mailbox_id from email where id = ? and workspace_id = :workspace
     ), thread as (
       select distinct on (e.logical_key) json_build_object(${LIST_ITEM_FIELDS}) as j,
              e.sent_at, e.id
         from start, email e join mailbox m on m.id = e.mailbox_id
        where e.workspace_id = :workspace and e.thread_key = start.thread_key
          and (?::boolean or not e.deleted)
        order by e.logical_key, e.mailbox_id = start.mailbox_id desc, e.id
     )
     select exists (select 1 from start) as found,
            (select coalesce(json_agg(j order by sent_at asc nulls last, id), '[]') from thread)
              as items`,
    [id, includeDeleted],
  );
  return row?.found === true ? row.items : null;
}
