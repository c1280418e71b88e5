/**
 * The shell: asks for the session, shows the sign-in form without one, else the header with the
 * navigation and sign-out, and the view the path names.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { onUnauthorized, setCsrfToken } from './api/client.ts';
import { currentSession, signOut, type Session } from './api/session.ts';
import { Link, useLocation } from './router.tsx';
import { Calendar } from './views/calendar.tsx';
import { CompanyPage, CompanyLookup } from './views/company.tsx';
import { EmailThread } from './views/email-thread.tsx';
import { Inbox } from './views/inbox.tsx';
import { Mailboxes } from './views/mailboxes.tsx';
import { PersonLookup, PersonPage } from './views/person.tsx';
import { SignIn } from './views/sign-in.tsx';
import { Webhooks } from './views/webhooks.tsx';

type State =
  { kind: 'checking' } | { kind: 'signed-out' } | { kind: 'signed-in'; session: Session };

export function App() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const [problem, setProblem] = useState<string | null>(null);

  const enter = (session: Session | null) => {
    setCsrfToken(session?.csrfToken ?? null);
    setState(session === null ? { kind: 'signed-out' } : { kind: 'signed-in', session });
  };

  useEffect(() => {
    onUnauthorized(() => {
      enter(null);
    });
    currentSession().then(enter, (err: unknown) => {
      setProblem(err instanceof Error ? err.message : String(err));
      enter(null);
    });
  }, []);

  if (state.kind === 'checking') {
    return <p class="page">Loading…</p>;
  }
  if (state.kind === 'signed-out') {
    return <SignIn notice={problem} />;
  }
  const leave = () => {
    signOut(state.session.csrfToken).then(
      () => {
        enter(null);
      },
      (err: unknown) => {
        setProblem(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return (
    <>
      <Header onSignOut={leave} />
      <main id="main" class="page" tabIndex={-1}>
        {problem !== null && <p role="alert">{problem}</p>}
        <Route />
      </main>
    </>
  );
}

const NAV: [string, string][] = [
  ['/', 'Inbox'],
  ['/calendar', 'Calendar'],
  ['/mailboxes', 'Mailboxes'],
  ['/webhooks', 'Webhooks'],
];

function Header({ onSignOut }: { onSignOut: () => void }) {
  const { path } = useLocation();
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <strong class="brand">Mailroom</strong>
      <nav aria-label="Main">
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to}>
              <Link
                to={to}
                aria-current={
                  (to === '/' ? path === '/' : path.startsWith(to)) ? 'page' : undefined
                }
              >
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <button type="button" class="secondary" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

function Route() {
  const { path, query } = useLocation();
  useFocusOnNavigation(path);
  const parts = path.split('/').filter((p) => p !== '');
  const [section, id] = parts;
  switch (section) {
    case undefined:
      return <Inbox query={query} />;
    case 'emails':
      return id === undefined ? <NotFound /> : <EmailThread id={id} />;
    case 'people':
      return id === undefined ? (
        <PersonLookup email={query.get('email') ?? ''} />
      ) : (
        <PersonPage id={id} />
      );
    case 'companies':
      return id === undefined ? (
        <CompanyLookup domain={query.get('domain') ?? ''} />
      ) : (
        <CompanyPage id={id} />
      );
    case 'calendar':
      return <Calendar query={query} />;
    case 'mailboxes':
      return <Mailboxes />;
    case 'webhooks':
      return <Webhooks />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no such page. <Link to="/">Back to the inbox</Link>
      </p>
    </section>
  );
}

/**
 * After a client-side navigation, focus moves to the new view (as a page load would start at the
 * top), so keyboard and screen-reader users are not left on a link that is gone.
 */
function useFocusOnNavigation(path: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [path]);
}
