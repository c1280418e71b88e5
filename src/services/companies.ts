import { z } from 'zod';
import { findCompany, listCompanies as queryCompanies } from '../db/read-models/api-companies.ts';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { NotFoundError } from '../errors.ts';
import type { CompanyView } from '../read-models/crm.schema.ts';
import { cursorParam, decodeCursor, limitParam, page } from './pagination.ts';

/** The workspace's companies with their number of people, by domain. */

/** `GET /companies`'s query. `q` is a case-insensitive substring match. */
export const companyListQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .describe('case-insensitive substring of the name or the domain'),
  domain: z.string().max(253).optional().describe('exactly this domain'),
  limit: limitParam,
  cursor: cursorParam,
});

/** A cursor: the last item's `[domain]` (unique in a workspace). */
const cursorShape = z.tuple([z.string()]);

export async function listCompaniesPage(
  scope: WorkspaceScope,
  query: z.infer<typeof companyListQuery>,
): Promise<{ items: CompanyView[]; nextCursor: string | null }> {
  const after = decodeCursor(query.cursor, cursorShape);
  const q = query.q?.trim();
  const rows = await queryCompanies(scope, {
    ...(q ? { q } : {}),
    ...(query.domain !== undefined ? { domain: query.domain.trim().toLowerCase() } : {}),
    afterDomain: after?.[0] ?? null,
    limit: query.limit + 1,
  });
  return page(rows, query.limit, (c) => [c.domain]);
}

export async function getCompany(scope: WorkspaceScope, id: string): Promise<CompanyView> {
  const company = await findCompany(scope, id);
  if (company === null) {
    throw new NotFoundError(`company ${id} not found`);
  }
  return company;
}
