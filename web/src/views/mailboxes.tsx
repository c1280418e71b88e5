/**
 * Mailboxes: status, stage and backfill progress (polled every 2 s while any mailbox syncs), the
 * last error, and connect, reconnect and disconnect (with a confirm step and the purge choice).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Mailbox } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { useLoad } from '../use-load.ts';
import { Progress } from '../components/progress.tsx';

const POLL_MS = 2000;

const STATUS: Record<Mailbox['status'], string> = {
  active: 'Active',
  syncing: 'Syncing',
  reauth_required: 'Needs reconnecting: access was revoked or expired',
  error: 'Stopped by an error',
  disconnected: 'Disconnected',
};

const STAGE: Record<NonNullable<Mailbox['stages']['mail']>, string> = {
  backfill: 'Importing past mail',
  incremental: 'Following new mail',
};

const PROVIDER: Record<Mailbox['provider'], string> = { google: 'Gmail', microsoft: 'Outlook' };

async function connect(provider: Mailbox['provider']): Promise<void> {
  const { url } = unwrap(
    await api.GET('/api/v1/connect/{provider}', { params: { path: { provider } } }),
  );
  window.location.assign(url);
}

export function Mailboxes() {
  const list = useLoad(async () => unwrap(await api.GET('/api/v1/mailboxes')).items, []);
  const [problem, setProblem] = useState<string | null>(null);
  const syncing = (list.data ?? []).some((m) => m.status === 'syncing');
  const { reload, loading } = list;
  useEffect(() => {
    if (!syncing || loading) {
      return;
    }
    const timer = window.setTimeout(reload, POLL_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [syncing, loading, reload, list.data]);

  const start = (provider: Mailbox['provider']) => {
    setProblem(null);
    connect(provider).catch((err: unknown) => {
      setProblem(err instanceof Error ? err.message : String(err));
    });
  };

  return (
    <section aria-labelledby="mailboxes-title">
      <h1 id="mailboxes-title">Mailboxes</h1>
      <div class="toolbar">
        <button
          type="button"
          onClick={() => {
            start('google');
          }}
        >
          Connect Gmail
        </button>
        <button
          type="button"
          onClick={() => {
            start('microsoft');
          }}
        >
          Connect Outlook
        </button>
      </div>
      {problem !== null && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      {list.error !== null && (
        <p class="error" role="alert">
          {list.error}
        </p>
      )}
      {list.data?.length === 0 && <p>No mailboxes yet.</p>}
      <ul class="cards">
        {(list.data ?? []).map((m) => (
          <MailboxCard key={m.id} mailbox={m} onReconnect={start} onChanged={reload} />
        ))}
      </ul>
    </section>
  );
}

function MailboxCard({
  mailbox: m,
  onReconnect,
  onChanged,
}: {
  mailbox: Mailbox;
  onReconnect: (p: Mailbox['provider']) => void;
  onChanged: () => void;
}) {
  const stage = m.stages.mail;
  return (
    <li class="card" aria-labelledby={`mb-${m.id}`}>
      <h2 id={`mb-${m.id}`}>
        {m.email} <span class="hint">{PROVIDER[m.provider]}</span>
      </h2>
      <dl class="details">
        <dt>Status</dt>
        <dd class={`status-${m.status}`}>{STATUS[m.status]}</dd>
        {stage !== undefined && (
          <>
            <dt>Stage</dt>
            <dd>{STAGE[stage]}</dd>
          </>
        )}
        <dt>Emails</dt>
        <dd>{m.counts.emails}</dd>
        <dt>Last synced</dt>
        <dd>{m.lastSyncedAt === null ? 'Never' : formatDateTime(m.lastSyncedAt)}</dd>
        {m.lastError !== null && (
          <>
            <dt>Last error</dt>
            <dd class="error">{m.lastError}</dd>
          </>
        )}
      </dl>
      {m.backfill.total !== null && (
        <Progress
          label={`Backfill of ${m.email}`}
          done={m.backfill.done}
          total={m.backfill.total}
          etaSeconds={(m.backfill.finishedAt ?? null) === null ? m.backfill.etaSeconds : null}
        />
      )}
      <div class="toolbar">
        {m.status === 'reauth_required' && (
          <button
            type="button"
            onClick={() => {
              onReconnect(m.provider);
            }}
          >
            Reconnect
          </button>
        )}
        {m.status !== 'disconnected' && <Disconnect mailbox={m} onDone={onChanged} />}
      </div>
    </li>
  );
}

function Disconnect({ mailbox, onDone }: { mailbox: Mailbox; onDone: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [purge, setPurge] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return (
      <button
        type="button"
        class="secondary"
        onClick={() => {
          setConfirming(true);
        }}
      >
        Disconnect…
      </button>
    );
  }
  const confirm = () => {
    setBusy(true);
    setError(null);
    api
      .DELETE('/api/v1/mailboxes/{id}', {
        params: { path: { id: mailbox.id }, query: { purge: purge ? 'true' : 'false' } },
      })
      .then(unwrap)
      .then(
        () => {
          setBusy(false);
          setConfirming(false);
          onDone();
        },
        (err: unknown) => {
          setError(err instanceof Error ? err.message : String(err));
          setBusy(false);
        },
      );
  };
  const checkboxId = `purge-${mailbox.id}`;
  return (
    <div class="confirm" role="group" aria-label={`Disconnect ${mailbox.email}`}>
      <p>Stop syncing {mailbox.email}?</p>
      <input
        id={checkboxId}
        type="checkbox"
        checked={purge}
        onChange={(e) => {
          setPurge(e.currentTarget.checked);
        }}
      />{' '}
      <label for={checkboxId}>Also delete its mail and calendar events</label>
      <div class="toolbar">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          Confirm disconnect
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setConfirming(false);
          }}
        >
          Cancel
        </button>
      </div>
      {error !== null && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
