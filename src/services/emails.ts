import { domainToASCII } from 'node:url';
import { normalizeAddress } from '../addresses/address.ts';
import {
  emailDetailRow,
  listEmailRows,
  threadEmailRows,
  type EmailKey,
} from '../db/read-models/api-emails.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { sanitizeEmailHtml } from '../mail/sanitize-email-html.ts';
import { normalizeSearchText } from '../mail/search-text.ts';
import type { EmailDetail, EmailListItem } from '../read-models/api-email.schema.ts';

/**
 * Emails of a workspace for the API, the MCP tools and the views: search and filter, one email
 * with its bodies, a conversation. Parameters arrive checked for type and range by the caller's
 * schema; what only makes sense here (an address, a domain, a search that says nothing) is
 * checked here, and a 400 names the parameter.
 */
export interface EmailSearch {
  q?: string | undefined;
  mailboxId?: string | undefined;
  personId?: string | undefined;
  companyId?: string | undefined;
  personEmail?: string | undefined;
  companyDomain?: string | undefined;
  direction?: 'inbound' | 'outbound' | undefined;
  after?: string | undefined;
  before?: string | undefined;
  includeDeleted?: boolean | undefined;
}

/** The sort key a page of emails resumes after (encoded in the API's opaque cursor). */
export type EmailCursorKey = EmailKey;

export interface EmailPage {
  items: EmailListItem[];
  /** The last item's key when there is a next page. */
  next: EmailCursorKey | null;
}

function normalizedDomain(raw: string): string {
  const domain = domainToASCII(raw.trim().replace(/^@/, '').replace(/\.$/, '').toLowerCase());
  if (domain === '' || !domain.includes('.')) {
    throw new InvalidInputError(`querystring.companyDomain: not a domain: ${raw}`);
  }
  return domain;
}

function normalizedEmail(raw: string): string {
  const address = normalizeAddress(raw);
  if (address === null) {
    throw new InvalidInputError(`querystring.personEmail: not an email address: ${raw}`);
  }
  return address;
}

/**
 * A page of the workspace's emails, newest first, or best match first with `q` (full-text over
 * subject, participants' names and addresses, and body text; web-search syntax: `"a phrase"`,
 * `or`, `-word`). Every filter combines with every other and with `q`.
 */
export async function searchEmails(
  scope: WorkspaceScope,
  search: EmailSearch,
  after: EmailCursorKey | null,
  limit: number,
): Promise<EmailPage> {
  const query = search.q === undefined ? null : normalizeSearchText(search.q);
  if (query !== null && !/[\p{L}\p{N}]/u.test(query)) {
    throw new InvalidInputError('querystring.q: no word to search for');
  }
  if (after !== null && (after.rank === null) !== (query === null)) {
    // A search's pages are in rank order, a plain list's are not: one cannot resume the other.
    throw new InvalidInputError(
      query === null ? 'cursor: a cursor of a search (q)' : 'cursor: not a cursor of a search (q)',
    );
  }
  const rows = await listEmailRows(
    scope,
    {
      query,
      mailboxId: search.mailboxId ?? null,
      personId: search.personId ?? null,
      companyId: search.companyId ?? null,
      personEmail: search.personEmail === undefined ? null : normalizedEmail(search.personEmail),
      companyDomain:
        search.companyDomain === undefined ? null : normalizedDomain(search.companyDomain),
      direction: search.direction ?? null,
      after: search.after ?? null,
      before: search.before ?? null,
      includeDeleted: search.includeDeleted ?? false,
    },
    after,
    limit,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => r.item),
    next: rows.length > limit && last !== undefined ? last.key : null,
  };
}

/** One email with its text, its sanitised HTML and its attachments. */
export async function getEmail(scope: WorkspaceScope, id: string): Promise<EmailDetail> {
  const row = await emailDetailRow(scope, id);
  if (row === null) {
    throw new NotFoundError(`email ${id} not found`);
  }
  const html = row.htmlBody === '' ? null : sanitizeEmailHtml(row.htmlBody);
  return {
    ...row.item,
    textBody: row.textBody,
    textBodyTruncated: row.textBodyTruncated,
    html: html?.html ?? null,
    htmlTruncated: row.htmlBodyTruncated,
    cidReferences: html?.cidReferences ?? [],
    remoteImagesBlocked: html?.remoteImagesBlocked ?? 0,
    attachments: row.attachments,
  };
}

/** The conversation email `id` is part of, oldest first (deleted emails only when asked). */
export async function getEmailThread(
  scope: WorkspaceScope,
  id: string,
  includeDeleted = false,
): Promise<EmailListItem[]> {
  const items = await threadEmailRows(scope, id, includeDeleted);
  if (items === null) {
    throw new NotFoundError(`email ${id} not found`);
  }
  return items;
}
