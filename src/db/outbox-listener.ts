import pg from 'pg';

/** The channel `appendEvents` notifies, in the writing transaction, when it adds outbox rows. */
export const OUTBOX_CHANNEL = 'mailroom_outbox';

export interface OutboxListener {
  close(): Promise<void>;
}

/**
 * LISTENs for new outbox rows on a dedicated connection (a pooled one could be handed to someone
 * else between notifications). PostgreSQL delivers a NOTIFY only when its transaction commits,
 * so a wake-up always finds the rows visible. `onLost` is called once if the connection dies;
 * the caller opens a new listener (and meanwhile relies on its poll).
 */
export async function listenForOutbox(
  databaseUrl: string,
  onNotify: () => void,
  onLost: (err: Error) => void,
): Promise<OutboxListener> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let closed = false;
  let lost = false;
  const lose = (err: Error): void => {
    if (!closed && !lost) {
      lost = true;
      onLost(err);
    }
  };
  client.on('notification', () => {
    onNotify();
  });
  client.on('error', lose);
  client.on('end', () => {
    lose(new Error('the LISTEN connection ended'));
  });
  try {
    await client.connect();
    await client.query(`listen ${OUTBOX_CHANNEL}`);
  } catch (err) {
    closed = true;
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    async close() {
      closed = true;
      await client.end().catch(() => undefined);
    },
  };
}
