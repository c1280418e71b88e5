import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeOpaque, encodeOpaque } from '../shared/opaque-token.ts';
import { one } from '../shared/query.ts';
import { googleError, NOT_FOUND } from './google-error.ts';
import type { EventJson, GoogleCalendarStore } from './google-calendar-store.ts';

/**
 * Google Calendar v3 `events.list` as @googleapis/calendar calls it (provider-apis.md §B.2):
 * `maxResults` (default 250, at most 2500), opaque page and sync tokens, `nextSyncToken` only on
 * the last page, the parameters a sync token forbids (400), deleted items always included in
 * incremental rounds and with `showDeleted` only in full ones, `singleEvents` expansion, and 410
 * `fullSyncRequired` for a token of an expired generation. Plus `calendarList.list` and a control
 * interface for tests and the demo.
 */
type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | string[] | undefined>;
}>;

type Guard = (req: Req, reply: FastifyReply, method: string) => Promise<{ email: string } | null>;

interface ListingToken {
  /** Calendar and the generation the token was issued in. */
  c: string;
  g: number;
  /** Incremental: changes after `since`, up to `upTo` (the sequence when the round began). */
  since: number | null;
  upTo: number;
  /**
   * Where the next page starts: after this item (sort key), not at a position, so an item
   * removed between two pages cannot make the listing skip another one.
   */
  after: { at: number; id: string } | null;
  singleEvents: boolean;
  showDeleted: boolean;
}

const FORBIDDEN_WITH_SYNC_TOKEN = [
  'iCalUID',
  'orderBy',
  'privateExtendedProperty',
  'q',
  'sharedExtendedProperty',
  'timeMin',
  'timeMax',
  'updatedMin',
];

export const FULL_SYNC_REQUIRED = googleError(
  410,
  'fullSyncRequired',
  'Sync token is no longer valid, a full sync is required.',
  'calendar',
  { location: 'syncToken', locationType: 'parameter' },
);

const encode = (t: ListingToken) => encodeOpaque(t);

const decode = (value: string) =>
  decodeOpaque<ListingToken>(value, (t) => typeof t.c === 'string' && typeof t.upTo === 'number');

function badRequest(message: string) {
  return googleError(400, 'invalid', message);
}

export function registerGoogleCalendarRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; store: GoogleCalendarStore },
): void {
  const { guard, store } = deps;

  app.get('/calendar/v3/users/me/calendarList', async (req: Req, reply) => {
    const user = await guard(req, reply, 'calendarList.list');
    if (!user) {
      return reply;
    }
    return {
      kind: 'calendar#calendarList',
      items: store.calendarIds(user.email).map((id) => ({
        kind: 'calendar#calendarListEntry',
        id,
        summary: id,
        primary: id === user.email,
        accessRole: 'owner',
        timeZone: 'UTC',
      })),
    };
  });

  app.get('/calendar/v3/calendars/:calendarId/events', async (req: Req, reply) => {
    const user = await guard(req, reply, 'events.list');
    if (!user) {
      return reply;
    }
    const q = req.query;
    const calendarId = decodeURIComponent(req.params['calendarId'] ?? '');
    const wanted = calendarId === 'primary' ? user.email : calendarId.toLowerCase();
    if (!store.calendarIds(user.email).includes(wanted)) {
      return reply.code(404).send(NOT_FOUND);
    }
    const cal = store.calendar(user.email, calendarId);
    const maxResults = Number(one(q['maxResults']) ?? 250);
    if (!Number.isInteger(maxResults) || maxResults < 1) {
      return reply.code(400).send(badRequest('Invalid value for maxResults'));
    }
    const pageSize = Math.min(maxResults, 2500);
    const syncToken = one(q['syncToken']);
    const pageToken = one(q['pageToken']);
    if (syncToken) {
      const forbidden = FORBIDDEN_WITH_SYNC_TOKEN.find((p) => q[p] !== undefined);
      if (forbidden) {
        return reply.code(400).send(badRequest(`${forbidden} is not allowed with syncToken`));
      }
      if (one(q['showDeleted']) === 'false') {
        return reply.code(400).send(badRequest('showDeleted=false is not allowed with syncToken'));
      }
    }
    let token: ListingToken;
    if (pageToken || syncToken) {
      const decoded = decode(pageToken ?? syncToken ?? '');
      if (decoded?.c !== cal.id) {
        return reply.code(400).send(badRequest('Invalid token'));
      }
      if (decoded.g !== cal.generation) {
        return reply.code(410).send(FULL_SYNC_REQUIRED);
      }
      token = pageToken ? decoded : { ...decoded, upTo: store.currentSeq(), after: null };
    } else {
      token = {
        c: cal.id,
        g: cal.generation,
        since: null,
        upTo: store.currentSeq(),
        after: null,
        singleEvents: one(q['singleEvents']) === 'true',
        showDeleted: one(q['showDeleted']) === 'true',
      };
    }
    const timeMin = one(q['timeMin']);
    const timeMax = one(q['timeMax']);
    const listed = store.list(cal, {
      singleEvents: token.singleEvents,
      includeCancelled: token.since !== null || token.showDeleted,
      since: token.since,
      upTo: token.upTo,
      timeMin: timeMin ? new Date(timeMin) : null,
      timeMax: timeMax ? new Date(timeMax) : null,
    });
    const after = token.after;
    const start = after
      ? listed.findIndex(
          (l) => l.at > after.at || (l.at === after.at && (l.event.id ?? '') > after.id),
        )
      : 0;
    const rest = start < 0 ? [] : listed.slice(start);
    const page = rest.slice(0, pageSize);
    const last = page[page.length - 1];
    const more = rest.length > pageSize && last !== undefined;
    return {
      kind: 'calendar#events',
      etag: `"${String(token.upTo)}"`,
      summary: cal.id,
      updated: new Date().toISOString(),
      timeZone: 'UTC',
      accessRole: 'owner',
      defaultReminders: [],
      items: page.map((l) => l.event),
      ...(more
        ? { nextPageToken: encode({ ...token, after: { at: last.at, id: last.event.id ?? '' } }) }
        : { nextSyncToken: encode({ ...token, since: token.upTo, after: null }) }),
    };
  });

  // ---- control interface ----------------------------------------------------------------------
  const param = (req: Req, name: string) => decodeURIComponent(req.params[name] ?? '');
  const base = '/__control/users/:email/calendars/:calendarId';
  app.post(`${base}/events`, (req: Req, reply) =>
    reply.send(
      store.upsertEvent(param(req, 'email'), param(req, 'calendarId'), req.body as EventJson),
    ),
  );
  app.delete(`${base}/events/:id`, (req: Req, reply) =>
    store.deleteEvent(param(req, 'email'), param(req, 'calendarId'), param(req, 'id'))
      ? reply.send({ deleted: true })
      : reply.code(404).send(NOT_FOUND),
  );
  app.post(`${base}/events/:id/cancel-instance`, (req: Req, reply) => {
    const body = req.body as { originalStartTime: string };
    const cancelled = store.cancelInstance(
      param(req, 'email'),
      param(req, 'calendarId'),
      param(req, 'id'),
      body.originalStartTime,
    );
    return cancelled ? reply.send(cancelled) : reply.code(404).send(NOT_FOUND);
  });
  app.post(`${base}/expire-sync`, (req: Req, reply) => {
    store.expireSyncTokens(param(req, 'email'), param(req, 'calendarId'));
    return reply.send({ expired: true });
  });
}
