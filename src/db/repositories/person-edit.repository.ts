import { z } from 'zod';
import { jsonb } from '../sql.ts';
import type { WorkspaceScope } from '../workspace-scope.ts';

/**
 * A user's edit of a person (PATCH /people/{id}): sets the given fields and records each in
 * `edited_fields`, which sync reads (src/crm/person-candidates.ts `personUpdate`) so it never
 * overwrites them. `companyId` null unlinks the company, and stays unlinked.
 */
export interface PersonEdit {
  firstName?: string;
  lastName?: string;
  companyId?: string | null;
}

/** False when the person is not the scope's workspace's. */
export async function editPerson(
  scope: WorkspaceScope,
  personId: string,
  edit: PersonEdit,
): Promise<boolean> {
  const fields = (['firstName', 'lastName', 'companyId'] as const).filter(
    (f) => edit[f] !== undefined,
  );
  const row = await scope.row(
    z.object({ id: z.string() }),
    `update person
        set first_name = case when ?::boolean then ?::text else first_name end,
            last_name = case when ?::boolean then ?::text else last_name end,
            company_id = case when ?::boolean then ?::uuid else company_id end,
            edited_fields = array(
              select f from unnest(edited_fields) as f
              union
              select jsonb_array_elements_text(?::jsonb)
              order by 1),
            updated_at = now()
      where id = ? and workspace_id = :workspace
      returning id`,
    [
      edit.firstName !== undefined,
      edit.firstName ?? null,
      edit.lastName !== undefined,
      edit.lastName ?? null,
      edit.companyId !== undefined,
      edit.companyId ?? null,
      jsonb(fields),
      personId,
    ],
  );
  return row !== null;
}
