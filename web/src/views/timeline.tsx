/** A person's or company's activities, newest first, with "Load more" on the API's cursor. */
import { useEffect, useState } from 'preact/hooks';
import type { Activity } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { Link } from '../router.tsx';

export interface TimelinePage {
  items: Activity[];
  nextCursor: string | null;
}

const WORDS: Record<Activity['type'], string> = {
  EMAIL_RECEIVED: 'Email received',
  EMAIL_SENT: 'Email sent',
  EMAIL_REPLIED: 'Replied',
  EMAIL_BOUNCED: 'Bounced',
  EMAIL_OPENED: 'Opened',
  EMAIL_CLICKED: 'Clicked',
  MEETING_SCHEDULED: 'Meeting scheduled',
  MEETING_UPDATED: 'Meeting updated',
  MEETING_CANCELLED: 'Meeting cancelled',
};

export function Timeline({
  load,
  reset,
}: {
  load: (cursor: string | undefined) => Promise<TimelinePage>;
  /** Starts over when this changes. */
  reset: string;
}) {
  const [items, setItems] = useState<Activity[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  const fetchPage = (cursor: string | undefined, append: boolean) => {
    setLoading(true);
    load(cursor).then(
      (page) => {
        setItems((old) => (append ? [...old, ...page.items] : page.items));
        setNext(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
  };
  useEffect(() => {
    fetchPage(undefined, false);
    // Only a new subject starts the timeline over.
  }, [reset]);

  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!loading && items.length === 0 && error === null && <p>No activity yet.</p>}
      <ol class="timeline">
        {items.map((a) => (
          <li key={a.id} class={`activity ${a.type.toLowerCase()}`}>
            <span class="what">{WORDS[a.type]}</span>{' '}
            <time dateTime={a.occurredAt}>{formatDateTime(a.occurredAt)}</time>
            <div>
              <Detail activity={a} />
            </div>
          </li>
        ))}
      </ol>
      {next !== null && (
        <button
          type="button"
          disabled={loading}
          onClick={() => {
            fetchPage(next, true);
          }}
        >
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

function Detail({ activity: a }: { activity: Activity }) {
  if (a.email !== null) {
    return (
      <>
        <Link to={`/emails/${a.email.id}`}>
          {a.email.subject === '' ? '(no subject)' : a.email.subject}
        </Link>{' '}
        <span class="hint">{a.personEmail}</span>
        {a.type === 'EMAIL_BOUNCED' && (a.bounceStatus ?? null) !== null && (
          <span class="hint"> (status {a.bounceStatus})</span>
        )}
      </>
    );
  }
  if (a.meeting !== null) {
    const cancelled = a.meeting.status === 'cancelled';
    return (
      <>
        <span class={cancelled ? 'cancelled' : undefined}>{a.meeting.title}</span>
        {cancelled && <span class="tag">Cancelled</span>}{' '}
        <span class="hint">
          {a.meeting.allDay ? 'all day' : formatDateTime(a.meeting.startsAt)} · {a.personEmail}
        </span>
      </>
    );
  }
  return <span class="hint">{a.personEmail}</span>;
}
