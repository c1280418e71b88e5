import { z } from 'zod';
import { companyViewSchema, type CompanyView } from '../../read-models/crm.schema.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';
import { containsPattern, Where } from './api-sql.ts';

/**
 * The API's companies (GET /companies, /companies/{id}): the export's company with its number of
 * people, listed by domain (unique per workspace, so the keyset is the domain alone).
 */
export interface CompaniesQuery {
  /** Case-insensitive substring of the name or the domain. */
  q?: string;
  /** Exactly this domain (lower-case). */
  domain?: string;
  afterDomain: string | null;
  limit: number;
}

const Row = z.object({ j: companyViewSchema });

const SELECT = `select json_build_object('id', c.id, 'domain', c.domain, 'name', c.name,
      'source', c.source,
      'peopleCount', (select count(*) from person p where p.company_id = c.id)) as j
    from company c`;

export async function listCompanies(
  scope: WorkspaceScope,
  q: CompaniesQuery,
): Promise<CompanyView[]> {
  const where = new Where().add('c.workspace_id = :workspace');
  if (q.q !== undefined) {
    const pattern = containsPattern(q.q);
    where.add(
      `(lower(c.name) like ? escape '\\' or c.domain like ? escape '\\')`,
      pattern,
      pattern,
    );
  }
  if (q.domain !== undefined) {
    where.add('c.domain = ?', q.domain);
  }
  if (q.afterDomain !== null) {
    where.add('c.domain > ?', q.afterDomain);
  }
  const rows = await scope.rows(Row, `${SELECT} where ${where.sql} order by c.domain limit ?`, [
    ...where.params,
    q.limit,
  ]);
  return rows.map((r) => r.j);
}

export async function findCompany(scope: WorkspaceScope, id: string): Promise<CompanyView | null> {
  const row = await scope.row(Row, `${SELECT} where c.id = ? and c.workspace_id = :workspace`, [
    id,
  ]);
  return row?.j ?? null;
}
