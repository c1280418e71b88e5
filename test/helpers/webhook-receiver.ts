import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver got, with what an independent Standard Webhooks check made of it. */
export interface Received {
  id: string;
  timestamp: string;
  body: string;
  verified: boolean;
  /** The status this receiver answered with, or null when it never answered. */
  answered: number | null;
}

/** What to do with a request: answer (status, body) or hang until the client goes away. */
export type Reply = { status: number; body?: string } | 'hang';

/**
 * A real HTTP endpoint on 127.0.0.1 that verifies every delivery with the `standardwebhooks`
 * package itself (not our wrapper), records it, and answers as `reply` says. `inFlight` and
 * `maxInFlight` count requests not answered yet: the per-endpoint concurrency as it sees it.
 */
export interface Receiver {
  url: string;
  received: Received[];
  inFlight: number;
  maxInFlight: number;
  setSecret(secret: string): void;
  reply: (r: Received, index: number) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(
  reply: Receiver['reply'] = () => ({ status: 200 }),
): Promise<Receiver> {
  let secret: string | null = null;
  const hanging = new Set<ServerResponse>();
  const state: Receiver = {
    url: '',
    received: [],
    inFlight: 0,
    maxInFlight: 0,
    setSecret: (s) => {
      secret = s;
    },
    reply,
    close: async () => {
      for (const res of hanging) {
        res.destroy();
      }
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        state.inFlight--;
      }
    };
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(req.headers[name] ?? '');
      let verified = false;
      try {
        if (secret !== null) {
          new Webhook(secret).verify(body, {
            'webhook-id': header('webhook-id'),
            'webhook-timestamp': header('webhook-timestamp'),
            'webhook-signature': header('webhook-signature'),
          });
          verified = true;
        }
      } catch {
        verified = false;
      }
      const r: Received = {
        id: header('webhook-id'),
        timestamp: header('webhook-timestamp'),
        body,
        verified,
        answered: null,
      };
      state.received.push(r);
      const what = state.reply(r, state.received.length - 1);
      if (what === 'hang') {
        hanging.add(res);
        return;
      }
      r.answered = what.status;
      res.writeHead(what.status, { 'content-type': 'text/plain' });
      res.end(what.body ?? '');
      finish();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook`;
  return state;
}
