import { z } from 'zod';
import { personViewSchema, type PersonView } from '../../read-models/crm.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { containsPattern, Where } from './api-sql.ts';
import { personJsonArgs } from './crm-json.ts';

/**
 * The API's people (GET /people, /people/{id}): the export's person with its company id and the
 * fields a user edited, listed by primary address (keyset on `primary_email, id`, served by
 * `person_workspace_email_idx`).
 */
export interface PeopleQuery {
  /** Case-insensitive substring of the name ("first last") or of any of the addresses. */
  q?: string;
  /** Exactly one of the person's addresses (lower-case). */
  email?: string;
  companyId?: string;
  /** The last row of the previous page. */
  after: { email: string; id: string } | null;
  /** Rows to fetch. */
  limit: number;
}

const Row = z.object({ j: personViewSchema });

const SELECT = `select json_build_object(${personJsonArgs('p', 'c')},
      'companyId', p.company_id, 'editedFields', p.edited_fields) as j
    from person p left join company c on c.id = p.company_id`;

export async function listPeople(scope: WorkspaceScope, q: PeopleQuery): Promise<PersonView[]> {
  const where = new Where().add('p.workspace_id = :workspace');
  if (q.q !== undefined) {
    const pattern = containsPattern(q.q);
    // A union of two trigram-indexed lookups rather than an OR across tables, which no index serves.
    where.add(
      `p.id in (select x.id from person x
                 where x.workspace_id = :workspace
                   and lower(x.first_name || ' ' || x.last_name) like ? escape '\\'
                union
                select pe.person_id from person_email pe
                 where pe.workspace_id = :workspace and pe.email like ? escape '\\')`,
      pattern,
      pattern,
    );
  }
  if (q.email !== undefined) {
    where.add(
      `p.id = (select pe.person_id from person_email pe
                where pe.workspace_id = :workspace and pe.email = ?)`,
      q.email,
    );
  }
  if (q.companyId !== undefined) {
    where.add('p.company_id = ?', q.companyId);
  }
  if (q.after !== null) {
    where.add('(p.primary_email, p.id) > (?, ?::uuid)', q.after.email, q.after.id);
  }
  const rows = await scope.rows(
    Row,
    `${SELECT} where ${where.sql} order by p.primary_email, p.id limit ?`,
    [...where.params, q.limit],
  );
  return rows.map((r) => r.j);
}

export async function findPerson(scope: WorkspaceScope, id: string): Promise<PersonView | null> {
  const row = await scope.row(Row, `${SELECT} where p.id = ? and p.workspace_id = :workspace`, [
    id,
  ]);
  return row?.j ?? null;
}
