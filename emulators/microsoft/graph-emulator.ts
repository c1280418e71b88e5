import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { registerFaultControl } from '../shared/control.ts';
import { FaultInjector, takeFault } from '../shared/faults.ts';
import { bearerToken, ConcurrencyLimit } from '../shared/request-limits.ts';
import { decodeToken, encodeToken, type DeltaState } from './delta-token.ts';
import { registerGraphCalendarRoutes } from './graph-calendar-routes.ts';
import { registerGraphMailControlRoutes } from './graph-control-routes.ts';
import { GraphCalendarStore } from './graph-calendar-store.ts';
import { graphError } from './graph-errors.ts';
import { mimeToGraphJson } from './graph-message-json.ts';
import {
  GraphStore,
  type GraphMailbox,
  type StoredGraphMessage,
  type WellKnownFolder,
} from './graph-store.ts';
import { registerGraphMessageListRoutes } from './graph-message-list-routes.ts';
import { GraphOutbox, type ReadMime } from './graph-outbox.ts';
import { registerGraphSendRoutes } from './graph-send-routes.ts';
import { registerGraphDraftRoutes } from './graph-draft-routes.ts';
import { emptyNotificationStats, GraphNotifier, type NotificationStats } from './graph-notifier.ts';
import { registerGraphSubscriptionRoutes } from './graph-subscription-routes.ts';
import { GraphSubscriptions } from './graph-subscriptions.ts';
import { scopedGuard } from './graph-route-kit.ts';
import { registerMsIdentityRoutes } from './ms-identity-routes.ts';
import { MsIdentity } from './ms-identity.ts';
import { maxPageSize, preferences } from './prefer.ts';
import { selectFields, selectList } from './graph-select.ts';

/**
 * A local Microsoft Graph (v1.0 mail) + identity platform over HTTPS, speaking what
 * @microsoft/microsoft-graph-client expects (provider-apis.md §D, §F.3): absolute https
 * nextLink/deltaLink, `$select` kept in the token, `Prefer: odata.maxpagesize`, `@removed`
 * entries, 410 syncStateNotFound for expired tokens, `$batch` (≤ 20), per-mailbox throttling
 * (4 concurrent, N requests per 10 minutes → 429 with Retry-After), refresh-token rotation and
 * AADSTS errors, fault injection and a control interface.
 */
export interface GraphEmulatorOptions {
  tls: { key: string; cert: string };
  /** Requests per mailbox per window (Graph: 10,000 per 10 minutes). null: no budget. */
  requestsPerWindow?: number | null;
  /** Speeds the 10-minute window up K times. */
  throttleScale?: number;
  maxConcurrentPerMailbox?: number;
  accessTokenTtlSeconds?: number;
  /**
   * Accept `http://` notification URLs for change-notification subscriptions (Graph demands
   * https; tests and local runs serve Mailroom over plain HTTP).
   */
  allowHttpNotifications?: boolean;
  /** Pauses before each notification retry (default 0.5, 1, 2, 4, 8 s); tests may shorten them. */
  notificationBackoffMs?: readonly number[];
}

export interface GraphEmulator {
  app: FastifyInstance;
  store: GraphStore;
  /** Outlook calendars of the same mailboxes (calendarView delta, graph-calendar-routes.ts). */
  calendars: GraphCalendarStore;
  identity: MsIdentity;
  faults: FaultInjector;
  stats: {
    requests: number;
    throttled: number;
    byRoute: Record<string, number>;
    /** Change and lifecycle notifications (graph-notifier.ts). */
    notifications: NotificationStats;
  };
  /** Change-notification subscriptions (graph-subscriptions.ts). */
  subscriptions: GraphSubscriptions;
  /** Delivers notifications; `pending` tells whether any is still on its way. */
  notifier: GraphNotifier;
  /** What the mailboxes sent (graph-send-routes.ts), oldest first. */
  outbox: GraphOutbox;
  /** Adds raw MIME to a folder, as Outlook would show it. */
  addMime(email: string, folder: WellKnownFolder, raw: Buffer): Promise<StoredGraphMessage>;
  baseUrl(): string;
}

type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | undefined>;
}>;

export function buildGraphEmulator(options: GraphEmulatorOptions): GraphEmulator {
  // Closing drops connections still open, such as one whose answer a fault holds back for a client
  // that has given up on it.
  const app = Fastify({
    logger: false,
    https: { key: options.tls.key, cert: options.tls.cert },
    forceCloseConnections: true,
  });
  void app.register(formbody);
  const store = new GraphStore();
  const calendars = new GraphCalendarStore();
  const identity = new MsIdentity(options.accessTokenTtlSeconds);
  const faults = new FaultInjector();
  const stats = {
    requests: 0,
    throttled: 0,
    byRoute: {} as Record<string, number>,
    notifications: emptyNotificationStats(),
  };
  const subscriptions = new GraphSubscriptions();
  const notifier = new GraphNotifier(stats, { backoffMs: options.notificationBackoffMs });
  app.addHook('onClose', () => notifier.close());
  const budget = options.requestsPerWindow === undefined ? 10_000 : options.requestsPerWindow;
  const windowMs = 600_000 / (options.throttleScale ?? 1);
  const concurrency = new ConcurrencyLimit(options.maxConcurrentPerMailbox ?? 4);
  const windows = new Map<string, number[]>();
  let origin = '';
  app.addHook('onListen', () => {
    const address = app.server.address();
    if (address && typeof address === 'object') {
      origin = `https://localhost:${String(address.port)}`;
    }
  });

  registerMsIdentityRoutes(app, { identity, users: () => [...store.mailboxes.keys()] });

  // ---- Graph ---------------------------------------------------------------------------------
  async function guard(req: Req, reply: FastifyReply, route: string): Promise<GraphMailbox | null> {
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    const email = identity.userOf(bearerToken(req));
    if (!email) {
      await reply
        .code(401)
        .send(
          graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'),
        );
      return null;
    }
    const fault = await takeFault(faults, req, reply);
    if (fault) {
      if (fault.status === 429) {
        stats.throttled++;
      }
      await reply
        .code(fault.status)
        .send(
          graphError(
            fault.reason ?? (fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable'),
            'Injected fault',
          ),
        );
      return null;
    }
    if (concurrency.isFull(email)) {
      stats.throttled++;
      await reply
        .code(429)
        .header('retry-after', '1')
        .send(
          graphError('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'),
        );
      return null;
    }
    if (budget !== null) {
      const now = Date.now();
      const recent = (windows.get(email) ?? []).filter((t) => now - t < windowMs);
      if (recent.length >= budget) {
        stats.throttled++;
        windows.set(email, recent);
        const wait = Math.max(1, Math.ceil(((recent[0] ?? now) + windowMs - now) / 1000));
        await reply
          .code(429)
          .header('retry-after', String(wait))
          .send(graphError('TooManyRequests', 'Please retry again later.'));
        return null;
      }
      recent.push(now);
      windows.set(email, recent);
    }
    concurrency.enter(email, reply);
    return store.mailbox(email);
  }

  app.get('/v1.0/me', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'me');
    if (!mb) {
      return reply;
    }
    return {
      id: mb.userId,
      displayName: mb.email.split('@')[0] ?? '',
      mail: mb.email,
      userPrincipalName: mb.email,
    };
  });

  app.get('/v1.0/me/mailFolders/:folder', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'mailFolders.get');
    if (!mb) {
      return reply;
    }
    const folder = store.folder(mb, req.params['folder'] ?? '');
    if (!folder) {
      return reply
        .code(404)
        .send(graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
    }
    const items = [...mb.messages.values()].filter((m) => m.folderId === folder.id);
    return {
      id: folder.id,
      displayName: folder.displayName,
      totalItemCount: items.length,
      unreadItemCount: items.filter((m) => !m.json.isRead).length,
    };
  });

  app.get('/v1.0/me/mailFolders/:folder/messages/delta', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'messages.delta');
    if (!mb) {
      return reply;
    }
    const prefer = preferences(req);
    const pageSize = maxPageSize(prefer);
    const token = req.query['$skiptoken'] ?? req.query['$deltatoken'];
    let state: DeltaState;
    if (token) {
      const decoded = decodeToken(token);
      if (!decoded) {
        return reply.code(400).send(graphError('BadRequest', 'Invalid token'));
      }
      state = decoded;
      if (req.query['$deltatoken']) {
        state = { ...state, mode: 'delta', snapshot: mb.seq, offset: 0 };
      }
      if (state.generation !== mb.generation) {
        return reply
          .code(410)
          .send(graphError('syncStateNotFound', 'The sync state generation is not found.'));
      }
    } else {
      const folder = store.folder(mb, req.params['folder'] ?? '');
      if (!folder) {
        return reply
          .code(404)
          .send(graphError('ErrorItemNotFound', 'The specified folder was not found.'));
      }
      const select = selectList(req.query['$select']);
      state = {
        folderId: folder.id,
        select,
        mode: 'initial',
        since: 0,
        snapshot: mb.seq,
        offset: 0,
        generation: mb.generation,
      };
    }
    const items = deltaItems(mb, state).map((item) =>
      'removed' in item
        ? {
            '@odata.type': '#microsoft.graph.message',
            id: item.id,
            '@removed': { reason: 'deleted' },
          }
        : {
            '@odata.type': '#microsoft.graph.message',
            ...selectFields(item.message, state.select),
          },
    );
    const page = items.slice(state.offset, state.offset + pageSize);
    const base = `${origin}/v1.0/me/mailFolders/${state.folderId}/messages/delta`;
    const more = state.offset + pageSize < items.length;
    const link = more
      ? {
          '@odata.nextLink': `${base}?$skiptoken=${encodeToken({ ...state, offset: state.offset + pageSize })}`,
        }
      : {
          '@odata.deltaLink': `${base}?$deltatoken=${encodeToken({ ...state, mode: 'delta', since: state.snapshot, offset: 0 })}`,
        };
    return {
      '@odata.context': `${origin}/v1.0/$metadata#Collection(message)`,
      ...link,
      value: page,
    };
  });

  app.get('/v1.0/me/messages/:id', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'messages.get');
    if (!mb) {
      return reply;
    }
    const message = mb.messages.get(req.params['id'] ?? '');
    if (!message) {
      return reply
        .code(404)
        .send(graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
    }
    return selectFields(message, selectList(req.query['$select']));
  });

  app.get('/v1.0/me/messages/:id/$value', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'messages.value');
    if (!mb) {
      return reply;
    }
    const message = mb.messages.get(req.params['id'] ?? '');
    if (!message) {
      return reply
        .code(404)
        .send(graphError('ErrorItemNotFound', 'The specified object was not found in the store.'));
    }
    return reply.type('text/plain').send(message.mime);
  });

  app.post('/v1.0/$batch', async (req, reply) => {
    const body = req.body as {
      requests?: { id: string; method: string; url: string; headers?: Record<string, string> }[];
    };
    const requests = body.requests ?? [];
    if (
      requests.length === 0 ||
      requests.length > 20 ||
      new Set(requests.map((r) => r.id)).size !== requests.length
    ) {
      return reply
        .code(400)
        .send(graphError('BadRequest', 'A batch holds 1 to 20 requests with unique ids.'));
    }
    const responses = await Promise.all(
      requests.map(async (r) => {
        const res = await app.inject({
          method: r.method as 'GET',
          url: `/v1.0${r.url.startsWith('/') ? r.url : `/${r.url}`}`,
          headers: { ...(r.headers ?? {}), authorization: req.headers.authorization ?? '' },
        });
        const contentType = res.headers['content-type'] ?? '';
        const isJson = contentType.includes('json');
        return {
          id: r.id,
          status: res.statusCode,
          headers: { 'content-type': contentType },
          body: isJson ? res.json<unknown>() : Buffer.from(res.rawPayload).toString('base64'),
        };
      }),
    );
    return { responses };
  });

  // Each mailbox threads by the root of a message's References chain (its own id without one); a
  // sent draft or reply keeps the conversation its draft or original was in.
  const conversations = new Map<string, string>();
  const readMime: ReadMime = async (email, folder, raw, options = {}) => {
    const { json, headers } = await mimeToGraphJson(
      raw,
      (root) => {
        const key = `${email.toLowerCase()} ${root}`;
        let id = conversations.get(key);
        if (!id) {
          id = `AAQkAD${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
          conversations.set(key, id);
        }
        return id;
      },
      { isDraft: folder === 'drafts' },
    );
    return {
      json: options.conversationId ? { ...json, conversationId: options.conversationId } : json,
      headers,
    };
  };
  const outbox = new GraphOutbox(store, readMime);
  const gate = scopedGuard(guard, identity);
  registerGraphSendRoutes(app, { gate, store, outbox });
  registerGraphDraftRoutes(app, { gate, store, readMime });
  registerGraphMessageListRoutes(app, { guard, store, origin: () => origin });
  registerGraphSubscriptionRoutes(app, {
    guard,
    store,
    calendars,
    subscriptions,
    notifier,
    allowHttpNotifications: options.allowHttpNotifications ?? false,
  });

  // ---- control -------------------------------------------------------------------------------
  registerGraphCalendarRoutes(app, { guard, store: calendars, origin: () => origin });

  registerGraphMailControlRoutes(app, {
    store,
    identity,
    outbox,
    addMime: (email, folder, raw) => emulator.addMime(email, folder, raw),
  });
  registerFaultControl(app, faults);
  app.get('/__control/stats', (_req, reply) => reply.send(stats));

  const emulator: GraphEmulator = {
    app,
    store,
    calendars,
    identity,
    faults,
    stats,
    subscriptions,
    notifier,
    outbox,
    async addMime(email, folder, raw) {
      const { json, headers } = await readMime(email, folder, raw);
      return store.add(email, folder, json, raw, headers);
    },
    baseUrl: () => origin,
  };
  return emulator;
}

type DeltaItem = { removed: true; id: string } | { message: StoredGraphMessage };

/** What a page sequence of this round contains, in a stable order. */
function deltaItems(mb: GraphMailbox, state: DeltaState): DeltaItem[] {
  if (state.mode === 'initial') {
    return [...mb.messages.values()]
      .filter((m) => m.folderId === state.folderId)
      .sort(
        (a, b) =>
          b.json.receivedDateTime.localeCompare(a.json.receivedDateTime) ||
          a.id.localeCompare(b.id),
      )
      .map((message) => ({ message }));
  }
  const touched = new Map<string, true>();
  for (const change of mb.changes) {
    if (
      change.seq > state.since &&
      change.seq <= state.snapshot &&
      change.folderId === state.folderId
    ) {
      touched.set(change.messageId, true);
    }
  }
  return [...touched.keys()].map((id): DeltaItem => {
    const message = mb.messages.get(id);
    return message && message.folderId === state.folderId ? { message } : { removed: true, id };
  });
}
