import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeOpaque, encodeOpaque } from '../shared/opaque-token.ts';
import { wallClock } from '../shared/time-zone.ts';
import { graphError } from './graph-errors.ts';
import { maxPageSize, preferences } from './prefer.ts';
import {
  graphLocal,
  type EventJson,
  type GraphCalendar,
  type GraphCalendarStore,
  type Instance,
} from './graph-calendar-store.ts';

/**
 * `GET /v1.0/me/calendarView/delta` as @microsoft/microsoft-graph-client calls it
 * (provider-apis.md §D.3): a window fixed for the whole round (`startDateTime`/`endDateTime` on the
 * first call only), occurrences rather than series masters, `Prefer: odata.maxpagesize`, absolute
 * next and delta links carrying opaque tokens, `@removed` entries (also for events outside the
 * window, which clients must filter), 410 `syncStateNotFound` for a token of an expired
 * generation, and 400 for the query options Graph refuses there. Times come back in each event's
 * own zone unless `Prefer: outlook.timezone="UTC"` asks otherwise (real Graph defaults to UTC;
 * the event's own zone is the harder case for a client).
 */
type Req = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string | undefined>;
}>;

type Guard = (req: Req, reply: FastifyReply, route: string) => Promise<{ email: string } | null>;

interface CalendarDeltaToken {
  kind: 'calendarView';
  windowStart: string;
  windowEnd: string;
  /** Initial round: since is null. Delta round: changes after `since`, up to `upTo`. */
  since: number | null;
  upTo: number;
  offset: number;
  generation: number;
}

const encode = (t: CalendarDeltaToken) => encodeOpaque(t);

const decode = (value: string) =>
  decodeOpaque<CalendarDeltaToken>(value, (t) => t.kind === 'calendarView');

const UNSUPPORTED = ['$select', '$filter', '$orderby', '$expand', '$search'];

function render(instance: Instance, utc: boolean): Record<string, unknown> {
  const { startAt, endAt, ...rest } = instance;
  const json: EventJson = { ...rest };
  delete (json as { replaces?: string }).replaces;
  const times =
    utc && !json.isAllDay
      ? {
          start: { dateTime: graphLocal(wallClock(startAt, 'UTC')), timeZone: 'UTC' },
          end: { dateTime: graphLocal(wallClock(endAt, 'UTC')), timeZone: 'UTC' },
        }
      : {};
  return {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': `W/"${json.changeKey ?? ''}"`,
    ...json,
    ...times,
  };
}

const removedItem = (id: string) => ({
  '@odata.type': '#microsoft.graph.event',
  id,
  '@removed': { reason: 'deleted' },
});

function roundItems(
  store: GraphCalendarStore,
  cal: GraphCalendar,
  t: CalendarDeltaToken,
  utc: boolean,
): Record<string, unknown>[] {
  const start = new Date(t.windowStart);
  const end = new Date(t.windowEnd);
  const inWindow = (i: Instance) => i.startAt < end && i.endAt > start;
  const listed = (e: EventJson) =>
    !(e.type === 'exception' && e.seriesMasterId && cal.events.has(e.seriesMasterId));
  if (t.since === null) {
    return [...cal.events.values()]
      .filter(listed)
      .flatMap((e) => store.instances(cal, e, end))
      .filter(inWindow)
      .sort((a, b) => a.startAt.getTime() - b.startAt.getTime() || a.id.localeCompare(b.id))
      .map((i) => render(i, utc));
  }
  const since = t.since;
  const changed = [...cal.changes]
    .filter(([, at]) => at > since && at <= t.upTo)
    .sort((a, b) => a[1] - b[1])
    .map(([id]) => id);
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const push = (item: Record<string, unknown>) => {
    const id = String(item['id']);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(item);
    }
  };
  for (const id of changed) {
    const live = cal.events.get(id);
    const gone = cal.removed.get(id);
    if (live) {
      const master = live.seriesMasterId ? cal.events.get(live.seriesMasterId) : undefined;
      const instances = master
        ? store.instances(cal, master, end).filter((i) => i.id === id)
        : store.instances(cal, live, end);
      for (const i of instances) {
        // An exception with an id of its own takes its occurrence's place: that one is gone.
        if (i.replaces) {
          push(removedItem(i.replaces));
        }
        push(inWindow(i) ? render(i, utc) : removedItem(i.id));
      }
    } else if (gone) {
      // A removed series takes its occurrences with it.
      const instances = gone.type === 'seriesMaster' ? store.instances(cal, gone, end) : [];
      for (const i of instances) {
        push(removedItem(i.id));
      }
      push(removedItem(id));
    }
  }
  return out;
}

export function registerGraphCalendarRoutes(
  app: FastifyInstance,
  deps: { guard: Guard; store: GraphCalendarStore; origin: () => string },
): void {
  const { guard, store } = deps;

  const handler = async (req: Req, reply: FastifyReply) => {
    const mailbox = await guard(req, reply, 'calendarView.delta');
    if (!mailbox) {
      return reply;
    }
    const q = req.query;
    const unsupported = UNSUPPORTED.find((o) => q[o] !== undefined);
    if (unsupported) {
      return reply
        .code(400)
        .send(
          graphError(
            'ErrorInvalidUrlQuery',
            `The query parameter '${unsupported}' is not supported with change tracking over the 'CalendarView' resource.`,
          ),
        );
    }
    const cal = store.calendar(mailbox.email);
    const prefer = preferences(req);
    const pageSize = maxPageSize(prefer);
    const utc = /outlook\.timezone="?UTC"?/i.test(prefer);
    const tokenValue = q['$skiptoken'] ?? q['$deltatoken'];
    let token: CalendarDeltaToken;
    if (tokenValue) {
      const decoded = decode(tokenValue);
      if (!decoded) {
        return reply.code(400).send(graphError('BadRequest', 'Invalid token'));
      }
      if (decoded.generation !== cal.generation) {
        return reply
          .code(410)
          .send(graphError('syncStateNotFound', 'The sync state generation is not found.'));
      }
      token = q['$deltatoken'] ? { ...decoded, upTo: store.currentSeq(), offset: 0 } : decoded;
    } else {
      const start = Date.parse(q['startDateTime'] ?? '');
      const end = Date.parse(q['endDateTime'] ?? '');
      if (Number.isNaN(start) || Number.isNaN(end) || end <= start) {
        return reply
          .code(400)
          .send(graphError('ErrorInvalidParameter', 'startDateTime and endDateTime are required.'));
      }
      token = {
        kind: 'calendarView',
        windowStart: new Date(start).toISOString(),
        windowEnd: new Date(end).toISOString(),
        since: null,
        upTo: store.currentSeq(),
        offset: 0,
        generation: cal.generation,
      };
    }
    const items = roundItems(store, cal, token, utc);
    const page = items.slice(token.offset, token.offset + pageSize);
    const more = token.offset + pageSize < items.length;
    const base = `${deps.origin()}/v1.0/me/calendarView/delta`;
    return {
      '@odata.context': `${deps.origin()}/v1.0/$metadata#Collection(event)`,
      ...(more
        ? {
            '@odata.nextLink': `${base}?$skiptoken=${encode({ ...token, offset: token.offset + pageSize })}`,
          }
        : {
            '@odata.deltaLink': `${base}?$deltatoken=${encode({ ...token, since: token.upTo, offset: 0 })}`,
          }),
      value: page,
    };
  };
  app.get('/v1.0/me/calendarView/delta', handler);
  app.get('/v1.0/users/:userId/calendarView/delta', handler);

  // ---- control interface ----------------------------------------------------------------------
  const param = (req: Req, name: string) => decodeURIComponent(req.params[name] ?? '');
  app.post('/__control/mailboxes/:email/events', (req: Req, reply) =>
    reply.send(store.upsertEvent(param(req, 'email'), req.body as EventJson)),
  );
  app.delete('/__control/mailboxes/:email/events/:id', (req: Req, reply) =>
    store.deleteEvent(param(req, 'email'), param(req, 'id'))
      ? reply.send({ deleted: true })
      : reply
          .code(404)
          .send(
            graphError('ErrorItemNotFound', 'The specified object was not found in the store.'),
          ),
  );
  app.post('/__control/mailboxes/:email/events/:id/cancel', (req: Req, reply) => {
    const event = store.cancelEvent(param(req, 'email'), param(req, 'id'));
    return event
      ? reply.send(event)
      : reply
          .code(404)
          .send(
            graphError('ErrorItemNotFound', 'The specified object was not found in the store.'),
          );
  });
  app.post('/__control/mailboxes/:email/expire-calendar-delta', (req: Req, reply) => {
    store.expireDelta(param(req, 'email'));
    return reply.send({ expired: true });
  });
}
