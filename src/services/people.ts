import { z } from 'zod';
import { findPerson, listPeople as queryPeople } from '../db/read-models/api-people.ts';
import { isOwned } from '../db/read-models/owned.ts';
import { editPerson, type PersonEdit } from '../db/repositories/person-edit.repository.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { PersonView } from '../read-models/crm.schema.ts';
import { cursorParam, decodeCursor, limitParam, page } from './pagination.ts';
import { requireOwned } from './require-owned.ts';

/**
 * The workspace's people for the API, the MCP tools and the views: a list by primary address,
 * one person, and a user's edit, which sync never overwrites.
 */

/** `GET /people`'s query. `q` is a case-insensitive substring match, not a prefix match. */
export const peopleListQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .describe('case-insensitive substring of the name ("first last") or of any address'),
  email: z.string().max(320).optional().describe('one of the person’s addresses, exactly'),
  companyId: z.uuid().optional().describe('people of this company'),
  limit: limitParam,
  cursor: cursorParam,
});

/** `PATCH /people/{id}`'s body: each field given is set and recorded as edited. */
export const personEditBody = z.strictObject({
  firstName: z.string().trim().max(200).optional(),
  lastName: z.string().trim().max(200).optional(),
  companyId: z.uuid().nullable().optional().describe('a company of the workspace; null unlinks'),
});

/** A cursor: the last item's `[email, id]` (primary address, unique in a workspace). */
const cursorShape = z.tuple([z.string(), z.uuid()]);

export async function listPeoplePage(
  scope: WorkspaceScope,
  query: z.infer<typeof peopleListQuery>,
): Promise<{ items: PersonView[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, cursorShape);
  const q = query.q?.trim();
  const rows = await queryPeople(scope, {
    ...(q ? { q } : {}),
    ...(query.email !== undefined ? { email: query.email.trim().toLowerCase() } : {}),
    ...(query.companyId !== undefined ? { companyId: query.companyId } : {}),
    after: after && { email: after[0], id: after[1] },
    limit: query.limit + 1,
  });
  return page(rows, query.limit, (p) => [p.email, p.id]);
}

export async function getPerson(scope: WorkspaceScope, id: string): Promise<PersonView> {
  const person = await findPerson(scope, id);
  if (person === null) {
    throw new NotFoundError(`person ${id} not found`);
  }
  return person;
}

/** The person with this address (any of theirs), for `crm.person.get` by email. */
export async function getPersonByEmail(scope: WorkspaceScope, email: string): Promise<PersonView> {
  const address = email.trim().toLowerCase();
  const [person] = await queryPeople(scope, { email: address, after: null, limit: 1 });
  if (person === undefined) {
    throw new NotFoundError(`no person with address ${address}`);
  }
  return person;
}

/**
 * A user's edit: each given field is set and recorded as edited, so no later sync overwrites it
 * (`companyId: null` unlinks the company for good). The company must be the workspace's.
 */
export async function updatePerson(
  scope: WorkspaceScope,
  id: string,
  edit: PersonEdit,
): Promise<PersonView> {
  if (edit.firstName === undefined && edit.lastName === undefined && edit.companyId === undefined) {
    throw new InvalidInputError('body: give at least one of firstName, lastName, companyId');
  }
  return scope.transaction(async (tx) => {
    await requireOwned(tx, 'person', id);
    if (
      edit.companyId !== undefined &&
      edit.companyId !== null &&
      !(await isOwned(tx, 'company', edit.companyId))
    ) {
      throw new InvalidInputError(`body.companyId: no company ${edit.companyId} in this workspace`);
    }
    if (!(await editPerson(tx, id, edit))) {
      throw new NotFoundError(`person ${id} not found`);
    }
    return getPerson(tx, id);
  });
}
