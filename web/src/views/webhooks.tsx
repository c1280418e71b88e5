/** Webhooks: each with its recent deliveries and their status, and a Replay button per delivery. */
import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Delivery, Webhook } from '../api/types.ts';
import { formatDateTime } from '../format.ts';
import { useLoad } from '../use-load.ts';

const RECENT = 10;

export function Webhooks() {
  const list = useLoad(async () => unwrap(await api.GET('/api/v1/webhooks')).items, []);
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      {list.error !== null && (
        <p class="error" role="alert">
          {list.error}
        </p>
      )}
      {list.data?.length === 0 && <p>No webhooks. Create them with the API.</p>}
      <ul class="cards">
        {(list.data ?? []).map((w) => (
          <WebhookCard key={w.id} webhook={w} />
        ))}
      </ul>
    </section>
  );
}

function WebhookCard({ webhook: w }: { webhook: Webhook }) {
  const deliveries = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id: w.id }, query: { limit: RECENT } },
        }),
      ).items,
    [w.id],
  );
  return (
    <li class="card" aria-labelledby={`wh-${w.id}`}>
      <h2 id={`wh-${w.id}`} class="url">
        {w.url}
      </h2>
      <dl class="details">
        <dt>State</dt>
        <dd>
          {w.enabled ? 'Enabled' : `Disabled${w.disabledReason ? `: ${w.disabledReason}` : ''}`}
        </dd>
        <dt>Events</dt>
        <dd>{w.events === null ? 'Every event' : w.events.join(', ')}</dd>
        {w.lastError !== null && (
          <>
            <dt>Last error</dt>
            <dd class="error">
              {w.lastError} {w.lastErrorAt !== null && `(${formatDateTime(w.lastErrorAt)})`}
            </dd>
          </>
        )}
      </dl>
      <h3>Recent deliveries</h3>
      {deliveries.error !== null && (
        <p class="error" role="alert">
          {deliveries.error}
        </p>
      )}
      {deliveries.data?.length === 0 && <p>None yet.</p>}
      {deliveries.data !== undefined && deliveries.data.length > 0 && (
        <div class="table-scroll">
          <table class="deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">When</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.map((d) => (
                <DeliveryRow
                  key={d.eventId}
                  webhookId={w.id}
                  delivery={d}
                  onReplayed={deliveries.reload}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </li>
  );
}

function DeliveryRow({
  webhookId,
  delivery: d,
  onReplayed,
}: {
  webhookId: string;
  delivery: Delivery;
  onReplayed: () => void;
}) {
  const [state, setState] = useState<{ busy: boolean; message: string | null }>({
    busy: false,
    message: null,
  });
  const replay = () => {
    setState({ busy: true, message: null });
    replayDelivery(webhookId, d.eventId).then(
      (replayed) => {
        setState({
          busy: false,
          message:
            replayed > 0 ? 'Replay queued.' : 'Nothing to replay yet: still being delivered.',
        });
        onReplayed();
      },
      (err: unknown) => {
        setState({ busy: false, message: err instanceof Error ? err.message : String(err) });
      },
    );
  };
  return (
    <tr>
      <td>{d.type}</td>
      <td class={`delivery-${d.status}`}>
        {d.status}
        {d.responseStatus !== null && ` (HTTP ${String(d.responseStatus)})`}
        {d.error !== null && <div class="hint">{d.error}</div>}
      </td>
      <td>{d.attempts}</td>
      <td>{formatDateTime(d.at)}</td>
      <td>
        <button type="button" class="secondary" disabled={state.busy} onClick={replay}>
          Replay
        </button>
        {state.message !== null && <div role="status">{state.message}</div>}
      </td>
    </tr>
  );
}

/** Queues the delivery again; how many were queued (0: it had not settled yet). */
async function replayDelivery(webhookId: string, eventId: string): Promise<number> {
  const answer = await api.POST('/api/v1/webhooks/{id}/deliveries/{eventId}/replay', {
    params: { path: { id: webhookId, eventId } },
  });
  return unwrap(answer).replayed;
}
