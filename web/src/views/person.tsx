/** A person: details, a name edit (PATCH; sync never overwrites an edited field), timeline. */
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Person } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { Link, withQuery } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { Lookup } from '../components/lookup.tsx';
import { Timeline } from './timeline.tsx';

/** `/app/people?email=…`: the person with that address (links from mail carry the address). */
export function PersonLookup({ email }: { email: string }) {
  return (
    <Lookup
      by={email}
      find={async () =>
        unwrap(await api.GET('/api/v1/people', { params: { query: { email, limit: 1 } } })).items[0]
      }
      pageOf={(id) => `/people/${id}`}
      missing={`No person has the address ${email}.`}
    />
  );
}

export function PersonPage({ id }: { id: string }) {
  const person = useLoad(
    async () => unwrap(await api.GET('/api/v1/people/{id}', { params: { path: { id } } })),
    [id],
  );
  const [saved, setSaved] = useState<Person | null>(null);
  useEffect(() => {
    setSaved(null);
  }, [id]);
  const p = saved ?? person.data;
  if (person.error !== null) {
    return (
      <p class="error" role="alert">
        {person.error}
      </p>
    );
  }
  if (p === undefined) {
    return <p>Loading…</p>;
  }
  const name = `${p.firstName} ${p.lastName}`.trim();
  return (
    <section aria-labelledby="person-title">
      <h1 id="person-title">{name === '' ? p.email : name}</h1>
      <dl class="details">
        <dt>Addresses</dt>
        <dd>{p.emails.join(', ')}</dd>
        <dt>Company</dt>
        <dd>
          {p.companyId !== null ? (
            <Link to={`/companies/${p.companyId}`}>{p.companyDomain ?? 'Company'}</Link>
          ) : (
            (p.companyDomain ?? 'None')
          )}
        </dd>
        <dt>Found in</dt>
        <dd>{p.source}</dd>
        <dt>Added</dt>
        <dd>{formatDateTime(p.createdAt)}</dd>
        {p.bouncedEmails.length > 0 && (
          <>
            <dt>Bounced</dt>
            <dd>
              {p.bouncedEmails.map((b) => `${b.email} (${formatDateTime(b.bouncedAt)})`).join(', ')}
            </dd>
          </>
        )}
      </dl>
      <p>
        <Link to={withQuery('/', { personId: p.id })}>
          Mail with {name === '' ? p.email : name}
        </Link>
        {' · '}
        <Link to={withQuery('/calendar', { personId: p.id })}>Meetings</Link>
      </p>
      <NameForm person={p} onSaved={setSaved} />
      <Timeline
        reset={p.id}
        load={async (cursor) =>
          unwrap(
            await api.GET('/api/v1/people/{id}/timeline', {
              params: { path: { id: p.id }, query: { cursor, limit: 50 } },
            }),
          )
        }
      />
    </section>
  );
}

function NameForm({ person, onSaved }: { person: Person; onSaved: (p: Person) => void }) {
  const [firstName, setFirst] = useState(person.firstName);
  const [lastName, setLast] = useState(person.lastName);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setFirst(person.firstName);
    setLast(person.lastName);
  }, [person.firstName, person.lastName]);
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(null);
    api
      .PATCH('/api/v1/people/{id}', {
        params: { path: { id: person.id } },
        body: { firstName: firstName.trim(), lastName: lastName.trim() },
      })
      .then(unwrap)
      .then(
        (p) => {
          onSaved(p);
          setStatus({ ok: true, text: 'Saved.' });
          setBusy(false);
        },
        (err: unknown) => {
          setStatus({ ok: false, text: err instanceof Error ? err.message : String(err) });
          setBusy(false);
        },
      );
  };
  return (
    <form class="name-form" onSubmit={submit} aria-labelledby="name-form-title">
      <h2 id="name-form-title">Name</h2>
      <div class="field">
        <label for="first-name">First name</label>
        <input
          id="first-name"
          value={firstName}
          onInput={(e) => {
            setFirst(e.currentTarget.value);
          }}
        />
      </div>
      <div class="field">
        <label for="last-name">Last name</label>
        <input
          id="last-name"
          value={lastName}
          onInput={(e) => {
            setLast(e.currentTarget.value);
          }}
        />
      </div>
      <button type="submit" disabled={busy}>
        Save name
      </button>
      {status !== null && (
        <p role={status.ok ? 'status' : 'alert'} class={status.ok ? undefined : 'error'}>
          {status.text}
        </p>
      )}
    </form>
  );
}
