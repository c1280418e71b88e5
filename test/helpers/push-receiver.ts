import Fastify from 'fastify';

/** One request a push receiver got: its path and query, headers and raw body. */
export interface PushRequest {
  url: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The status answered, or null while (or when never) answered. */
  answered: number | null;
}

/** How to answer a request: a status (and body, content type), or hang until the caller gives up. */
export type PushAnswer = { status: number; body?: string; contentType?: string } | 'hang';

/**
 * A tiny real HTTP endpoint (Fastify on 127.0.0.1) standing in for Mailroom's push routes in the
 * emulators' own tests: it records every request, raw, and answers as `answer` says. By default
 * it passes Graph's validation handshake (echoing the decoded `validationToken` as text/plain) and
 * acknowledges everything else with 202.
 */
export interface PushReceiver {
  url: string;
  received: PushRequest[];
  answer: (r: PushRequest, index: number) => PushAnswer;
  /** Requests that are notifications (not validation handshakes), their bodies parsed. */
  notifications(): { request: PushRequest; json: unknown }[];
  close(): Promise<void>;
}

export const echoValidation = (r: PushRequest): PushAnswer =>
  r.query['validationToken'] !== undefined
    ? { status: 200, body: r.query['validationToken'], contentType: 'text/plain; charset=utf-8' }
    : { status: 202 };

export async function startPushReceiver(
  answer: PushReceiver['answer'] = echoValidation,
): Promise<PushReceiver> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, body);
  });
  const state: PushReceiver = {
    url: '',
    received: [],
    answer,
    notifications: () =>
      state.received
        .filter((r) => r.query['validationToken'] === undefined)
        .map((request) => ({ request, json: JSON.parse(request.body) as unknown })),
    close: () => app.close(),
  };
  app.post('/*', async (req, reply) => {
    const r: PushRequest = {
      url: req.url,
      query: req.query as Record<string, string | undefined>,
      headers: req.headers,
      body: typeof req.body === 'string' ? req.body : '',
      answered: null,
    };
    state.received.push(r);
    const what = state.answer(r, state.received.length - 1);
    if (what === 'hang') {
      // Never answers; closing the receiver drops the connection.
      return new Promise<never>(() => undefined);
    }
    r.answered = what.status;
    return reply
      .code(what.status)
      .type(what.contentType ?? 'text/plain')
      .send(what.body ?? '');
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  state.url = `${url}/push`;
  return state;
}
