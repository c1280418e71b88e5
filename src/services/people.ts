import { findPerson, listPeople as queryPeople } from '../db/read-models/api-people.ts';
import { isOwned } from '../db/read-models/owned.ts';
import { editPerson, type PersonEdit } from '../db/repositories/person-edit.repository.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import type { PersonView } from '../read-models/crm.schema.ts';
import { requireOwned } from './require-owned.ts';

/** The workspace's people, for the API, MCP tools and views. */
export interface PeopleFilter {
  q?: string | undefined;
  email?: string | undefined;
  companyId?: string | undefined;
}

/** A page of people by primary address; `after` is the previous page's last (email, id). */
export async function listPeople(
  scope: WorkspaceScope,
  filter: PeopleFilter,
  page: { after: { email: string; id: string } | null; limit: number },
): Promise<PersonView[]> {
  const q = filter.q?.trim();
  return queryPeople(scope, {
    ...(q ? { q } : {}),
    ...(filter.email !== undefined ? { email: filter.email.trim().toLowerCase() } : {}),
    ...(filter.companyId !== undefined ? { companyId: filter.companyId } : {}),
    after: page.after,
    limit: page.limit,
  });
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
  const [person] = await listPeople(scope, { email }, { after: null, limit: 1 });
  if (person === undefined) {
    throw new NotFoundError(`no person with address ${email.trim().toLowerCase()}`);
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
