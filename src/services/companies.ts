import { findCompany, listCompanies as queryCompanies } from '../db/read-models/api-companies.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { NotFoundError } from '../errors.ts';
import type { CompanyView } from '../read-models/crm.schema.ts';

/** The workspace's companies with their number of people, by domain. */
export async function listCompanies(
  scope: WorkspaceScope,
  filter: { q?: string | undefined; domain?: string | undefined },
  page: { afterDomain: string | null; limit: number },
): Promise<CompanyView[]> {
  const q = filter.q?.trim();
  return queryCompanies(scope, {
    ...(q ? { q } : {}),
    ...(filter.domain !== undefined ? { domain: filter.domain.trim().toLowerCase() } : {}),
    afterDomain: page.afterDomain,
    limit: page.limit,
  });
}

export async function getCompany(scope: WorkspaceScope, id: string): Promise<CompanyView> {
  const company = await findCompany(scope, id);
  if (company === null) {
    throw new NotFoundError(`company ${id} not found`);
  }
  return company;
}
