import { z } from 'zod';
import { emailDetailSchema, emailListItemSchema } from '../../../read-models/api-email.schema.ts';
import {
  getEmail,
  getEmailThread,
  searchEmails,
  type EmailCursorKey,
} from '../../../services/emails.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound } from '../common-schemas.ts';
import { cursorParam, decodeCursor, encodeCursor, limitParam } from '../pagination.ts';
import type { ApiRoutes } from '../api-app.ts';

const instant = z.iso.datetime({ offset: true });
const flag = z.enum(['true', 'false']);

const listQuery = z.object({
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

/** `GET /emails`, `GET /emails/{id}`, `GET /emails/{id}/thread`. */
export const emailRoutes: ApiRoutes = (app) => {
  app.get(
    '/emails',
    {
      schema: {
        tags: ['emails'],
        summary: 'The workspace’s emails, newest first, or best match first with q',
        querystring: listQuery,
        response: { 200: listOf(emailListItemSchema), ...commonErrors },
      },
    },
    async (req) => {
      const { limit, cursor, includeDeleted, ...search } = req.query;
      const page = await searchEmails(
        scopeOf(req),
        { ...search, includeDeleted: includeDeleted === 'true' },
        cursorKey(cursor),
        limit,
      );
      return { items: page.items, nextCursor: page.next === null ? null : encodeKey(page.next) };
    },
  );
  app.get(
    '/emails/:id',
    {
      schema: {
        tags: ['emails'],
        summary: 'One email with its text, sanitised HTML, attachments and invitation',
        params: idParams,
        response: { 200: emailDetailSchema, ...commonErrors, ...notFound },
      },
    },
    async (req) => getEmail(scopeOf(req), req.params.id),
  );
  app.get(
    '/emails/:id/thread',
    {
      schema: {
        tags: ['emails'],
        summary: 'The conversation the email is part of, oldest first',
        params: idParams,
        querystring: z.object({
          includeDeleted: flag.default('false').describe('also emails the provider deleted'),
        }),
        response: {
          200: z.object({ items: z.array(emailListItemSchema) }),
          ...commonErrors,
          ...notFound,
        },
      },
    },
    async (req) => ({
      items: await getEmailThread(scopeOf(req), req.params.id, req.query.includeDeleted === 'true'),
    }),
  );
};
