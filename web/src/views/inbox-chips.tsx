/**
 * The inbox's person and company filters that come from those pages (by id): shown by name, each
 * with a button that removes it.
 */
import { api, unwrap } from '../api/client.ts';
import { useLoad } from '../use-load.ts';
import type { Filters } from './inbox.tsx';

export function FilterChips({ filters, apply }: { filters: Filters; apply: (f: Filters) => void }) {
  const { personId, companyId } = filters;
  const person = useLoad(
    async () =>
      personId === undefined
        ? null
        : unwrap(await api.GET('/api/v1/people/{id}', { params: { path: { id: personId } } })),
    [personId],
  );
  const company = useLoad(
    async () =>
      companyId === undefined
        ? null
        : unwrap(await api.GET('/api/v1/companies/{id}', { params: { path: { id: companyId } } })),
    [companyId],
  );
  if (personId === undefined && companyId === undefined) {
    return null;
  }
  const personName = person.data ? `${person.data.firstName} ${person.data.lastName}`.trim() : '';
  return (
    <ul class="chips" aria-label="Active filters">
      {personId !== undefined && (
        <li>
          With {personName || person.data?.email || 'one person'}{' '}
          <button
            type="button"
            class="secondary"
            onClick={() => {
              apply({ personId: '' });
            }}
          >
            Remove
          </button>
        </li>
      )}
      {companyId !== undefined && (
        <li>
          With {company.data?.name || company.data?.domain || 'one company'}{' '}
          <button
            type="button"
            class="secondary"
            onClick={() => {
              apply({ companyId: '' });
            }}
          >
            Remove
          </button>
        </li>
      )}
    </ul>
  );
}
