import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerFaultControl } from '../shared/control.ts';
import { FaultInjector, takeFault, type FaultSpec } from '../shared/faults.ts';
import { bearerToken, ConcurrencyLimit } from '../shared/request-limits.ts';
import { asList, one } from '../shared/query.ts';
import { EmulatorAuth } from './emulator-auth.ts';
import { GeneratedUsers, type GeneratedUsersOptions } from './generated-users.ts';
import { registerGmailControlRoutes } from './gmail-control-routes.ts';
import {
  AUTH_ERROR,
  BACKEND_ERROR,
  googleError,
  INSUFFICIENT_SCOPES,
  NOT_FOUND,
  TOO_MANY_CONCURRENT,
  USER_RATE_LIMIT,
} from './google-error.ts';
import { GoogleIdTokens } from './google-id-token.ts';
import { registerGoogleOAuthRoutes } from './google-oauth-routes.ts';
import { filterBehavior, GmailWatches, topicProject } from './gmail-watches.ts';
import { emptyPushStats, PubSubPush, type PushStats } from './pubsub-push.ts';
import { registerPubSubRoutes } from './pubsub-routes.ts';
import { GmailSender } from './gmail-send.ts';
import { registerGmailSendRoutes } from './gmail-send-routes.ts';
import { SentLog, type SentItem } from './gmail-sent-log.ts';
import { GmailStore, SYSTEM_LABELS, type GmailUser, type StoredMessage } from './gmail-store.ts';
import { registerGoogleCalendarRoutes } from './google-calendar-routes.ts';
import { GoogleCalendarStore } from './google-calendar-store.ts';
import { buildPayload, parseHeaders } from './mime-tree.ts';
import { QuotaMeter, oldRegimeCost, type QuotaOptions } from './quota.ts';
import { parseQuery, UnsupportedQueryError } from './search-query.ts';

/**
 * A local Gmail API, Google Calendar API (google-calendar-routes.ts) + Google OAuth server speaking the wire format the real clients
 * (@googleapis/gmail, google-auth-library) expect: real paths, Google's error envelope, int64s as
 * strings, newest-first listing, history with expiry, per-user quota and concurrency limits,
 * sending (gmail-send-routes.ts) under per-grant scopes, and fault injection. See
 * ../shared/docs/provider-apis.md §A, §C, §F.2, §H.
 */
export interface GmailEmulatorOptions {
  /** null: no quota enforcement (units are still counted). */
  quota?: QuotaOptions | null;
  maxConcurrentPerUser?: number;
  accessTokenTtlSeconds?: number;
  clientId?: string;
  clientSecret?: string;
  /** Many users made on first use (generated-users.ts), for the fleet benchmark. */
  generatedUsers?: GeneratedUsersOptions;
  /** Pauses before each push retry (default 0.5, 1, 2, 4, 8 s); tests may shorten them. */
  pushBackoffMs?: readonly number[];
}

export interface EmulatorStats {
  requests: number;
  byMethod: Record<string, number>;
  /** Units by the old-regime cost table, whatever is enforced (the benchmark's unit). */
  quotaUnits: number;
  /** Units charged by the enforced regime (0 when quota is off). */
  enforcedUnits: number;
  throttled: number;
  /** Watch notifications (pubsub-push.ts). */
  push: PushStats;
}

export interface GmailEmulator {
  app: FastifyInstance;
  store: GmailStore;
  /** Google Calendar of the same users (same tokens, faults and concurrency limits). */
  calendars: GoogleCalendarStore;
  auth: EmulatorAuth;
  faults: FaultInjector;
  stats: EmulatorStats;
  resetStats(): void;
  /** What the user sent through `messages.send`, oldest first (as `/__control/users/:email/sent`). */
  sentMail(email: string): Promise<SentItem[]>;
  /** `users.watch` state. */
  watches: GmailWatches;
  /** Push subscriptions and their deliveries (`/__control/pubsub/...`). */
  pubsub: PubSubPush;
  /** Signs push id tokens; its certificates are served at `/oauth2/v1/certs`. */
  idTokens: GoogleIdTokens;
}

type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | string[] | undefined>;
}>;

export function buildGmailEmulator(options: GmailEmulatorOptions = {}): GmailEmulator {
  const app = Fastify({ logger: false });
  const store = new GmailStore();
  const calendars = new GoogleCalendarStore();
  const auth = new EmulatorAuth(options.accessTokenTtlSeconds);
  const generate = (generatedOptions: GeneratedUsersOptions): GeneratedUsers => {
    const generated = new GeneratedUsers(generatedOptions);
    store.generated = generated;
    auth.generated = generated;
    return generated;
  };
  if (options.generatedUsers) {
    generate(options.generatedUsers);
  }
  const faults = new FaultInjector();
  const quota = options.quota ? new QuotaMeter(options.quota) : null;
  const concurrency = new ConcurrencyLimit(options.maxConcurrentPerUser ?? 10);
  const sentLog = new SentLog();
  const stats: EmulatorStats = {
    requests: 0,
    byMethod: {},
    quotaUnits: 0,
    enforcedUnits: 0,
    throttled: 0,
    push: emptyPushStats(),
  };
  void app.register(formbody);
  const watches = new GmailWatches();
  const idTokens = new GoogleIdTokens();
  const pubsub = new PubSubPush(idTokens, stats, { backoffMs: options.pushBackoffMs });
  // Every new history record of a watched user is a change Gmail publishes (when the watch's
  // label filter lets it through); the push goes out after the request that caused it.
  store.onHistory((user, _record, labelIds) => {
    const watch = watches.notifying(user.email, labelIds);
    if (watch) {
      pubsub.publish(watch.topicName, user.email, user.historyId);
    }
  });
  app.addHook('onClose', () => pubsub.close());

  registerGoogleOAuthRoutes(app, {
    auth,
    clientId: options.clientId,
    users: () => [...store.users.keys()],
  });

  // ---- Gmail API -----------------------------------------------------------------------------
  /**
   * Auth, scopes, faults, concurrency and quota, in that order, for one metered API call. A call
   * naming `scopes` needs a grant with one of them; the others are not checked for scopes.
   */
  async function guard(
    req: Req,
    reply: FastifyReply,
    method: string,
    scopes?: readonly string[],
  ): Promise<GmailUser | null> {
    stats.requests++;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const grant = auth.grantOf(bearerToken(req));
    const userId = (req.params['userId'] ?? 'me').toLowerCase();
    if (!grant || (userId !== 'me' && userId !== grant.email)) {
      await reply.code(401).send(AUTH_ERROR);
      return null;
    }
    const { email } = grant;
    if (scopes && !grant.scopes.some((s) => scopes.includes(s))) {
      await reply.code(403).send(INSUFFICIENT_SCOPES);
      return null;
    }
    const fault = await takeFault(faults, req, reply);
    if (fault === 'reset') {
      return null;
    }
    if (fault) {
      if (fault.revoke === 'grant') {
        auth.revokeUser(email);
      } else if (fault.revoke === 'access-token') {
        auth.expireAccessTokens(email);
      }
      if (fault.status === 429 || fault.status === 403) {
        stats.throttled++;
      }
      await reply.code(fault.status).send(faultBody(fault));
      return null;
    }
    if (concurrency.isFull(email)) {
      stats.throttled++;
      await reply.code(429).send(TOO_MANY_CONCURRENT);
      return null;
    }
    if (quota && !quota.tryCharge(email, method)) {
      stats.throttled++;
      await reply.code(403).send(USER_RATE_LIMIT);
      return null;
    }
    stats.quotaUnits += oldRegimeCost(method);
    stats.enforcedUnits += quota ? quota.cost(method) : 0;
    concurrency.enter(email, reply);
    return store.user(email);
  }

  const base = '/gmail/v1/users/:userId';

  app.get(`${base}/profile`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'getProfile');
    if (!user) {
      return reply;
    }
    return {
      emailAddress: user.email,
      messagesTotal: user.messages.size,
      threadsTotal: new Set([...user.messages.values()].map((m) => m.threadId)).size,
      historyId: String(user.historyId),
    };
  });

  app.get(`${base}/labels`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'labels.list');
    if (!user) {
      return reply;
    }
    return {
      labels: [
        ...SYSTEM_LABELS.map((id) => ({ id, name: id, type: 'system' })),
        ...[...user.userLabels].map(([id, name]) => ({ id, name, type: 'user' })),
      ],
    };
  });

  app.get(`${base}/messages`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'messages.list');
    if (!user) {
      return reply;
    }
    const q = req.query;
    let predicate;
    try {
      predicate = parseQuery(one(q['q']));
    } catch (err) {
      if (err instanceof UnsupportedQueryError) {
        return reply.code(400).send(googleError(400, 'invalidArgument', err.message));
      }
      throw err;
    }
    const labelIds = asList(q['labelIds']);
    const includeSpamTrash = one(q['includeSpamTrash']) === 'true';
    const maxResults = Math.min(Math.max(Number(one(q['maxResults']) ?? 100) || 100, 1), 500);
    const all = store
      .listNewestFirst(user.email)
      .filter((m) => includeSpamTrash || !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH'))
      .filter((m) => labelIds.every((l) => m.labelIds.includes(l)))
      .filter(predicate);
    const offset = decodePageToken(one(q['pageToken']));
    const page = all.slice(offset, offset + maxResults);
    const next =
      offset + maxResults < all.length ? encodePageToken(offset + maxResults) : undefined;
    return {
      ...(page.length > 0
        ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) }
        : {}),
      ...(next ? { nextPageToken: next } : {}),
      resultSizeEstimate: all.length,
    };
  });

  app.get(`${base}/messages/:id`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'messages.get');
    if (!user) {
      return reply;
    }
    const message = user.messages.get(req.params['id'] ?? '');
    if (!message) {
      return reply.code(404).send(NOT_FOUND);
    }
    const format = one(req.query['format']) ?? 'full';
    const metadataHeaders = asList(req.query['metadataHeaders']).map((h) => h.toLowerCase());
    return renderMessage(message, format, metadataHeaders);
  });

  app.get(`${base}/threads/:id`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'threads.get');
    if (!user) {
      return reply;
    }
    const id = req.params['id'] ?? '';
    const messages = [...user.messages.values()]
      .filter((m) => m.threadId === id)
      .sort((a, b) => a.internalDate - b.internalDate);
    if (messages.length === 0) {
      return reply.code(404).send(NOT_FOUND);
    }
    const format = one(req.query['format']) ?? 'full';
    return {
      id,
      historyId: String(Math.max(...messages.map((m) => m.historyId))),
      messages: messages.map((m) => renderMessage(m, format === 'raw' ? 'full' : format, [])),
    };
  });

  app.get(`${base}/history`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'history.list');
    if (!user) {
      return reply;
    }
    const start = Number(one(req.query['startHistoryId']));
    if (!Number.isFinite(start) || start <= 0) {
      return reply.code(400).send(googleError(400, 'invalidArgument', 'Invalid startHistoryId'));
    }
    if (start < user.minHistoryId) {
      return reply.code(404).send(NOT_FOUND);
    }
    const types = asList(req.query['historyTypes']);
    const labelId = one(req.query['labelId']);
    const maxResults = Math.min(
      Math.max(Number(one(req.query['maxResults']) ?? 100) || 100, 1),
      500,
    );
    const records = user.history
      .filter((r) => r.id > start)
      .filter((r) => types.length === 0 || types.includes(r.type))
      .filter(
        (r) => !labelId || (r.type !== 'messageDeleted' && r.message.labelIds.includes(labelId)),
      );
    const offset = decodePageToken(one(req.query['pageToken']));
    const page = records.slice(offset, offset + maxResults);
    const next =
      offset + maxResults < records.length ? encodePageToken(offset + maxResults) : undefined;
    return {
      ...(page.length > 0 ? { history: page.map(renderHistory) } : {}),
      ...(next ? { nextPageToken: next } : {}),
      historyId: String(user.historyId),
    };
  });

  app.post(`${base}/watch`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'watch');
    if (!user) {
      return reply;
    }
    const body = req.body as
      | {
          topicName?: string;
          labelIds?: string[];
          labelFilterBehavior?: string;
          labelFilterAction?: string;
        }
      | undefined;
    const topicName = body?.topicName ?? '';
    if (!topicProject(topicName)) {
      return reply
        .code(400)
        .send(
          googleError(
            400,
            'invalidArgument',
            `Invalid topicName does not match projects/SOME-PROJECT/topics/SOME-TOPIC`,
          ),
        );
    }
    const labelIds = body?.labelIds ?? [];
    const expiration = Date.now() + 7 * 24 * 3600_000;
    watches.set(user.email, {
      topicName,
      labelIds,
      labelFilterBehavior: filterBehavior(
        labelIds,
        body?.labelFilterBehavior,
        body?.labelFilterAction,
      ),
      expiration,
    });
    // As Google does, a successful watch publishes one notification at once.
    pubsub.publish(topicName, user.email, user.historyId);
    return { historyId: String(user.historyId), expiration: String(expiration) };
  });

  app.post(`${base}/stop`, async (req: Req, reply) => {
    const user = await guard(req, reply, 'stop');
    if (!user) {
      return reply;
    }
    watches.stop(user.email);
    return reply.code(204).send();
  });

  registerGmailSendRoutes(app, { guard, sender: new GmailSender(store, sentLog) });
  registerGoogleCalendarRoutes(app, { guard, store: calendars });

  // ---- Control interface (tests, demo, benchmark) --------------------------------------------
  registerGmailControlRoutes(app, { store, auth, sentLog, generate });
  registerPubSubRoutes(app, { pubsub, tokens: idTokens });
  registerFaultControl(app, faults);
  app.get('/__control/stats', (_req, reply) => reply.send(stats));

  return {
    app,
    store,
    calendars,
    auth,
    faults,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.byMethod = {};
      stats.quotaUnits = 0;
      stats.enforcedUnits = 0;
      stats.throttled = 0;
      stats.push = emptyPushStats();
    },
    sentMail: (email) => sentLog.items(email),
    watches,
    pubsub,
    idTokens,
  };
}

function faultBody(fault: FaultSpec): unknown {
  const status = fault.status ?? 500;
  if (status === 429) {
    return googleError(
      429,
      fault.reason ?? 'rateLimitExceeded',
      'Resource has been exhausted (e.g. check quota).',
      'usageLimits',
    );
  }
  if (status === 403) {
    return googleError(
      403,
      fault.reason ?? 'userRateLimitExceeded',
      'User Rate Limit Exceeded',
      'usageLimits',
    );
  }
  if (status >= 500) {
    return { ...BACKEND_ERROR, error: { ...BACKEND_ERROR.error, code: status } };
  }
  return googleError(status, fault.reason ?? 'failedPrecondition', 'Injected fault');
}

function encodePageToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodePageToken(token: string | undefined): number {
  if (!token) {
    return 0;
  }
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m ? Number(m[1]) : 0;
}

function renderMessage(
  m: StoredMessage,
  format: string,
  metadataHeaders: string[],
): Record<string, unknown> {
  const common = {
    id: m.id,
    threadId: m.threadId,
    labelIds: m.labelIds,
    snippet: '',
    historyId: String(m.historyId),
    internalDate: String(m.internalDate),
    sizeEstimate: m.raw.length,
  };
  switch (format) {
    case 'raw':
      return { ...common, raw: m.raw.toString('base64url') };
    case 'minimal':
      return common;
    case 'metadata': {
      const text = m.raw.toString('latin1');
      const end = text.search(/\r?\n\r?\n/);
      const headers = parseHeaders(end >= 0 ? text.slice(0, end) : text).filter(
        (h) => metadataHeaders.length === 0 || metadataHeaders.includes(h.name.toLowerCase()),
      );
      return { ...common, payload: { mimeType: 'message/rfc822', headers } };
    }
    default: {
      const payload = buildPayload(m.raw, (partId) => `ANGjd-${m.id}-${partId || 'root'}`);
      return { ...common, payload };
    }
  }
}

function renderHistory(r: GmailUser['history'][number]): Record<string, unknown> {
  const ref = { id: r.message.id, threadId: r.message.threadId };
  switch (r.type) {
    case 'messageAdded':
      return {
        id: String(r.id),
        messages: [ref],
        messagesAdded: [{ message: { ...ref, labelIds: r.message.labelIds } }],
      };
    case 'messageDeleted':
      return { id: String(r.id), messages: [ref], messagesDeleted: [{ message: ref }] };
    case 'labelAdded':
      return {
        id: String(r.id),
        messages: [ref],
        labelsAdded: [{ message: { ...ref, labelIds: r.message.labelIds }, labelIds: r.labelIds }],
      };
    case 'labelRemoved':
      return {
        id: String(r.id),
        messages: [ref],
        labelsRemoved: [
          { message: { ...ref, labelIds: r.message.labelIds }, labelIds: r.labelIds },
        ],
      };
  }
}
