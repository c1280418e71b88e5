/** A company: details, its people, a link to its mail, and its timeline. */
import { api, unwrap } from '../api/client.ts';
import { Link, withQuery } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { Lookup } from '../components/lookup.tsx';
import { Timeline } from './timeline.tsx';

/** `/app/companies?domain=…`: the company with that domain (links from mail carry the domain). */
export function CompanyLookup({ domain }: { domain: string }) {
  return (
    <Lookup
      by={domain}
      find={async () =>
        unwrap(await api.GET('/api/v1/companies', { params: { query: { domain, limit: 1 } } }))
          .items[0]
      }
      pageOf={(id) => `/companies/${id}`}
      missing={`No company has the domain ${domain}.`}
    />
  );
}

export function CompanyPage({ id }: { id: string }) {
  const company = useLoad(
    async () => unwrap(await api.GET('/api/v1/companies/{id}', { params: { path: { id } } })),
    [id],
  );
  const people = useLoad(
    async () =>
      unwrap(await api.GET('/api/v1/people', { params: { query: { companyId: id, limit: 50 } } })),
    [id],
  );
  if (company.error !== null) {
    return (
      <p class="error" role="alert">
        {company.error}
      </p>
    );
  }
  const c = company.data;
  if (c === undefined) {
    return <p>Loading…</p>;
  }
  return (
    <section aria-labelledby="company-title">
      <h1 id="company-title">{c.name === '' ? c.domain : c.name}</h1>
      <dl class="details">
        <dt>Domain</dt>
        <dd>{c.domain}</dd>
        <dt>People</dt>
        <dd>{c.peopleCount}</dd>
        <dt>Found in</dt>
        <dd>{c.source}</dd>
      </dl>
      <p>
        <Link to={withQuery('/', { companyId: c.id })}>Mail with {c.name || c.domain}</Link>
      </p>
      {people.data !== undefined && people.data.items.length > 0 && (
        <section aria-labelledby="company-people">
          <h2 id="company-people">People</h2>
          <ul>
            {people.data.items.map((p) => (
              <li key={p.id}>
                <Link to={`/people/${p.id}`}>
                  {`${p.firstName} ${p.lastName}`.trim() || p.email}
                </Link>{' '}
                <span class="hint">{p.email}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Timeline
        reset={c.id}
        load={async (cursor) =>
          unwrap(
            await api.GET('/api/v1/companies/{id}/timeline', {
              params: { path: { id: c.id }, query: { cursor, limit: 50 } },
            }),
          )
        }
      />
    </section>
  );
}
