/**
 * A message with its thread, oldest first. Each message's HTML (sanitised by the API) is shown in
 * a sandboxed frame with no scripts and an opaque origin, so nothing in it can run or reach the
 * app; without HTML, its text.
 */
import { useEffect } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { EmailDetail } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { Link, withQuery } from '../router.tsx';
import { useLoad } from '../use-load.ts';

async function loadThread(id: string): Promise<EmailDetail[]> {
  const thread = unwrap(
    await api.GET('/api/v1/emails/{id}/thread', { params: { path: { id } } }),
  ).items;
  // The thread lists summaries; each message's body, attachments and invitation are its own.
  return Promise.all(
    thread.map(async (m) =>
      unwrap(await api.GET('/api/v1/emails/{id}', { params: { path: { id: m.id } } })),
    ),
  );
}

export function EmailThread({ id }: { id: string }) {
  const thread = useLoad(() => loadThread(id), [id]);
  useEffect(() => {
    if (thread.data !== undefined) {
      document.getElementById(`message-${id}`)?.scrollIntoView({ block: 'start' });
    }
  }, [thread.data, id]);
  if (thread.error !== null) {
    return (
      <p class="error" role="alert">
        {thread.error}
      </p>
    );
  }
  if (thread.data === undefined) {
    return <p>Loading…</p>;
  }
  const subject = thread.data.find((m) => m.id === id)?.subject ?? thread.data[0]?.subject ?? '';
  return (
    <section aria-labelledby="thread-title">
      <p>
        <Link to="/">← Inbox</Link>
      </p>
      <h1 id="thread-title">{subject === '' ? '(no subject)' : subject}</h1>
      <p class="hint">
        {thread.data.length === 1 ? '1 message' : `${String(thread.data.length)} messages`}, oldest
        first
      </p>
      {thread.data.map((m) => (
        <Message key={m.id} email={m} current={m.id === id} />
      ))}
    </section>
  );
}

function Message({ email, current }: { email: EmailDetail; current: boolean }) {
  return (
    <article
      id={`message-${email.id}`}
      class={current ? 'message current' : 'message'}
      aria-current={current ? 'true' : undefined}
      aria-labelledby={`message-${email.id}-from`}
    >
      <header>
        <h2 id={`message-${email.id}-from`}>{email.from ?? '(unknown sender)'}</h2>
        <time dateTime={email.sentAt ?? undefined}>{formatDateTime(email.sentAt)}</time>
        {email.to.length > 0 && <p>To: {email.to.join(', ')}</p>}
        {email.cc.length > 0 && <p>Cc: {email.cc.join(', ')}</p>}
        {email.deleted && <p class="tag">Deleted at the provider</p>}
      </header>
      <Body email={email} />
      <Attachments email={email} />
      {email.invitation !== null && (
        <p class="invitation">
          Calendar invitation
          {email.invitation.method === null ? '' : ` (${email.invitation.method})`}
          {email.invitation.linkedEvents > 0 &&
            `, linked to ${String(email.invitation.linkedEvents)} meeting${email.invitation.linkedEvents === 1 ? '' : 's'}`}
          . <Link to="/calendar">Calendar</Link>
        </p>
      )}
      {email.direction === 'outbound' && <Engagement id={email.id} />}
      <Participants email={email} />
    </article>
  );
}

function Body({ email }: { email: EmailDetail }) {
  if (email.html !== null) {
    return (
      <>
        {/* sandbox with no tokens: no scripts, no forms, no popups, an opaque origin. The
            document is the same sanitised HTML, served with its own CSP that allows the
            message's inline styles (a srcdoc frame would inherit the app's, which refuses them). */}
        <iframe
          sandbox=""
          class="body-frame"
          title={`Message from ${email.from ?? 'unknown sender'}`}
          src={`/app/emails/${email.id}/body`}
          referrerpolicy="no-referrer"
        />
        {email.htmlTruncated && <p class="hint">This message was shortened.</p>}
        {email.remoteImagesBlocked > 0 && (
          <p class="hint">{String(email.remoteImagesBlocked)} remote images were not loaded.</p>
        )}
      </>
    );
  }
  return (
    <>
      <pre class="body-text">{email.textBody}</pre>
      {email.textBodyTruncated && <p class="hint">This message was shortened.</p>}
    </>
  );
}

function Attachments({ email }: { email: EmailDetail }) {
  const files = email.attachments.filter((a) => !a.inline);
  if (files.length === 0) {
    return null;
  }
  return (
    <section class="attachments" aria-label="Attachments">
      <h3>Attachments</h3>
      <ul>
        {files.map((a, i) => (
          <li key={i}>
            {a.filename ?? '(unnamed)'} <span class="hint">{a.contentType}</span>{' '}
            <span class="hint">{formatSize(a.size)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) {
    return `${String(bytes)} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${String(Math.round(bytes / 1024))} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function Participants({ email }: { email: EmailDetail }) {
  const linked = email.participants.filter(
    (p) => p.personEmail !== null || p.companyDomain !== null,
  );
  if (linked.length === 0) {
    return null;
  }
  return (
    <section class="participants" aria-label="People and companies">
      <h3>People and companies</h3>
      <ul>
        {linked.map((p) => (
          <li key={`${p.role}:${p.email}`}>
            <span class="hint">{p.role}</span>{' '}
            {p.personEmail !== null ? (
              <Link to={withQuery('/people', { email: p.personEmail })}>{p.email}</Link>
            ) : (
              p.email
            )}
            {p.companyDomain !== null && (
              <>
                {' · '}
                <Link to={withQuery('/companies', { domain: p.companyDomain })}>
                  {p.companyDomain}
                </Link>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Opens and clicks of a sent message (tracked sends only; people apart from machines). */
function Engagement({ id }: { id: string }) {
  const counts = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/emails/{id}/engagements', {
          params: { path: { id }, query: { limit: 1 } },
        }),
      ).counts,
    [id],
  );
  const c = counts.data;
  if (c === undefined || c.opens.total + c.clicks.total === 0) {
    return null;
  }
  return (
    <p class="hint">
      Opened {c.opens.human} time{c.opens.human === 1 ? '' : 's'}, clicked {c.clicks.human} time
      {c.clicks.human === 1 ? '' : 's'}
      {c.opens.machine + c.clicks.machine > 0 &&
        ` (and ${String(c.opens.machine + c.clicks.machine)} by machines, such as mail scanners)`}
    </p>
  );
}
