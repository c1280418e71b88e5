import { z } from 'zod';
import type { EmailListItem } from '../read-models/api-email.schema.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { searchEmails, type EmailCursorKey } from './emails.ts';
import { cursorParam, decodeCursor, encodeCursor, limitParam } from './pagination.ts';

/**
 * The email list's parameters and opaque cursor, shared by `GET /api/v1/emails` and the
 * `crm.email.search` MCP tool, so both take the same parameters and page the same way.
 */
const instant = z.iso.datetime({ offset: true });
const flag = z.enum(['true', 'false']);

/** `GET /emails`'s query, and `crm.email.search`'s input. */
export const emailListQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'full-text search over subject, body text, participants’ names and addresses; web-search ' +
        'syntax ("a phrase", or, -word); words match as written (no stemming, accents kept); ' +
        'best match first',
    ),
  mailboxId: z.uuid().optional(),
  personId: z.uuid().optional().describe('emails this person took part in'),
  companyId: z.uuid().optional().describe('emails a person of this company took part in'),
  personEmail: z
    .string()
    .max(320)
    .optional()
    .describe('emails with this address, or any address of its person, among the participants'),
  companyDomain: z
    .string()
    .max(253)
    .optional()
    .describe('emails a person of the company with this domain took part in'),
  direction: z.enum(['inbound', 'outbound']).optional(),
  after: instant.optional().describe('sent strictly after this ISO 8601 instant'),
  before: instant.optional().describe('sent strictly before this ISO 8601 instant'),
  includeDeleted: flag.default('false').describe('also emails the provider deleted'),
  limit: limitParam,
  cursor: cursorParam,
});

const sortAt = z.iso.datetime().nullable();
/** A cursor: `[sentAt, id]`, or `[rank, sentAt, id]` for a search. */
const cursorShape = z.union([z.tuple([sortAt, z.uuid()]), z.tuple([z.number(), sortAt, z.uuid()])]);

function cursorKey(cursor: string | undefined): EmailCursorKey | null {
  const key = decodeCursor(cursor, cursorShape);
  if (key === null) {
    return null;
  }
  return key.length === 2
    ? { rank: null, sentAt: key[0], id: key[1] }
    : { rank: key[0], sentAt: key[1], id: key[2] };
}

function encodeKey(key: EmailCursorKey): string {
  return encodeCursor(key.rank === null ? [key.sentAt, key.id] : [key.rank, key.sentAt, key.id]);
}

/** One page of `searchEmails` for a checked `emailListQuery`, with the next page's cursor. */
export async function searchEmailPage(
  scope: WorkspaceScope,
  query: z.infer<typeof emailListQuery>,
): Promise<{ items: EmailListItem[]; nextCursor: string | null }> {
  const { limit, cursor, includeDeleted, ...search } = query;
  const page = await searchEmails(
    scope,
    { ...search, includeDeleted: includeDeleted === 'true' },
    cursorKey(cursor),
    limit,
  );
  return { items: page.items, nextCursor: page.next === null ? null : encodeKey(page.next) };
}
