/**
 * The inbox: newest first (best match first with a search), filters kept in the URL so Back and
 * shared links restore them, "Load more" on the API's cursor, and j/k/Enter and "/" keys.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { EmailSummary, InboxQuery } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { Link, navigate, withQuery } from '../router.tsx';
import { useLoad } from '../use-load.ts';
import { useInboxKeys } from './inbox-keys.ts';
import { FilterChips } from './inbox-chips.tsx';

const FILTERS = [
  'q',
  'mailboxId',
  'direction',
  'personId',
  'companyId',
  'personEmail',
  'companyDomain',
] as const;
type Filter = (typeof FILTERS)[number];
export type Filters = Partial<Record<Filter, string>>;

function readFilters(query: URLSearchParams): Filters {
  const out: Filters = {};
  for (const f of FILTERS) {
    const v = query.get(f);
    if (v !== null && v !== '') {
      out[f] = v;
    }
  }
  return out;
}

function toApiQuery(filters: Filters, cursor: string | undefined): InboxQuery {
  const direction =
    filters.direction === 'inbound' || filters.direction === 'outbound'
      ? filters.direction
      : undefined;
  return { ...filters, direction, cursor, limit: 50 };
}

export function Inbox({ query }: { query: URLSearchParams }) {
  const filters = readFilters(query);
  const key = JSON.stringify(filters);
  const [items, setItems] = useState<EmailSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const first = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/emails', { params: { query: toApiQuery(filters, undefined) } }),
      ),
    [key],
  );
  useEffect(() => {
    if (first.data !== undefined) {
      setItems(first.data.items);
      setNext(first.data.nextCursor);
      setMoreError(null);
    }
  }, [first.data]);

  const loadMore = () => {
    if (next === null) {
      return;
    }
    setLoadingMore(true);
    api
      .GET('/api/v1/emails', { params: { query: toApiQuery(filters, next) } })
      .then(unwrap)
      .then(
        (page) => {
          setItems((old) => [...old, ...page.items]);
          setNext(page.nextCursor);
          setLoadingMore(false);
        },
        (err: unknown) => {
          setMoreError(err instanceof Error ? err.message : String(err));
          setLoadingMore(false);
        },
      );
  };

  const search = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const selected = useInboxKeys({ count: items.length, search, list, reset: key });

  const apply = (change: Filters) => {
    navigate(withQuery('/', { ...filters, ...change }));
  };

  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">Inbox</h1>
      <InboxFilters filters={filters} apply={apply} search={search} />
      <FilterChips filters={filters} apply={apply} />
      {first.error !== null && (
        <p class="error" role="alert">
          {first.error}
        </p>
      )}
      {first.loading && items.length === 0 && <p>Loading…</p>}
      {!first.loading && first.error === null && items.length === 0 && <p>No emails match.</p>}
      <ol class="inbox" ref={list} aria-label="Emails">
        {items.map((e, i) => (
          <InboxRow key={e.id} email={e} selected={i === selected} />
        ))}
      </ol>
      {moreError !== null && (
        <p class="error" role="alert">
          {moreError}
        </p>
      )}
      {next !== null && (
        <button type="button" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
      <p class="hint">
        Keys: <kbd>/</kbd> search, <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> open.
      </p>
    </section>
  );
}

function counterpart(e: EmailSummary) {
  // The other side of the conversation: the sender of inbound mail, the first recipient of
  // outbound mail.
  const roles = e.direction === 'inbound' ? ['from'] : ['to', 'cc', 'bcc'];
  return e.participants.find((p) => roles.includes(p.role));
}

function InboxRow({ email, selected }: { email: EmailSummary; selected: boolean }) {
  const other = counterpart(email);
  const personEmail = other?.personEmail ?? null;
  const companyDomain = other?.companyDomain ?? null;
  return (
    <li class={selected ? 'row selected' : 'row'}>
      <Link to={`/emails/${email.id}`} class="row-link">
        <span class="subject">{email.subject === '' ? '(no subject)' : email.subject}</span>
        <span class="from">
          {email.direction === 'outbound' ? 'To ' : ''}
          {email.direction === 'outbound' ? (other?.email ?? '') : (email.from ?? '')}
        </span>
        <time class="date" dateTime={email.sentAt ?? undefined}>
          {formatDateTime(email.sentAt)}
        </time>
        <span class="snippet">{email.snippet}</span>
      </Link>
      <span class="meta">
        {personEmail !== null && (
          <Link to={withQuery('/people', { email: personEmail })}>{personEmail}</Link>
        )}
        {companyDomain !== null && (
          <Link to={withQuery('/companies', { domain: companyDomain })}>{companyDomain}</Link>
        )}
        {email.hasAttachments && <span class="tag">Attachment</span>}
        {email.invitation !== null && <span class="tag">Invitation</span>}
      </span>
    </li>
  );
}

function InboxFilters({
  filters,
  apply,
  search,
}: {
  filters: Filters;
  apply: (f: Filters) => void;
  search: { current: HTMLInputElement | null };
}) {
  const mailboxes = useLoad(async () => unwrap(await api.GET('/api/v1/mailboxes')).items, []);
  // The typed text lives here until the form is submitted; the URL holds what was searched.
  const [text, setText] = useState({
    q: filters.q ?? '',
    personEmail: filters.personEmail ?? '',
    companyDomain: filters.companyDomain ?? '',
  });
  useEffect(() => {
    setText({
      q: filters.q ?? '',
      personEmail: filters.personEmail ?? '',
      companyDomain: filters.companyDomain ?? '',
    });
  }, [filters.q, filters.personEmail, filters.companyDomain]);
  const edit = (name: keyof typeof text) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setText((t) => ({ ...t, [name]: value }));
  };
  const submit = (e: Event) => {
    e.preventDefault();
    apply({
      q: text.q.trim(),
      personEmail: text.personEmail.trim(),
      companyDomain: text.companyDomain.trim(),
    });
  };
  return (
    <form class="filters" role="search" onSubmit={submit}>
      <div class="field wide">
        <label for="inbox-q">Search</label>
        <input
          id="inbox-q"
          name="q"
          type="search"
          ref={search}
          value={text.q}
          onInput={edit('q')}
        />
      </div>
      <div class="field">
        <label for="inbox-mailbox">Mailbox</label>
        <select
          id="inbox-mailbox"
          value={filters.mailboxId ?? ''}
          onChange={(e) => {
            apply({ mailboxId: e.currentTarget.value });
          }}
        >
          <option value="">All mailboxes</option>
          {(mailboxes.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.email}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="inbox-direction">Direction</label>
        <select
          id="inbox-direction"
          value={filters.direction ?? ''}
          onChange={(e) => {
            apply({ direction: e.currentTarget.value });
          }}
        >
          <option value="">Both</option>
          <option value="inbound">Received</option>
          <option value="outbound">Sent</option>
        </select>
      </div>
      <div class="field">
        <label for="inbox-person">Person (address)</label>
        <input
          id="inbox-person"
          name="personEmail"
          type="text"
          value={text.personEmail}
          onInput={edit('personEmail')}
        />
      </div>
      <div class="field">
        <label for="inbox-company">Company (domain)</label>
        <input
          id="inbox-company"
          name="companyDomain"
          type="text"
          value={text.companyDomain}
          onInput={edit('companyDomain')}
        />
      </div>
      <button type="submit">Search</button>
    </form>
  );
}
