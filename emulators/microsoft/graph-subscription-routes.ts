import type { FastifyInstance, FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import type { GraphCalendarStore } from './graph-calendar-store.ts';
import { graphError } from './graph-errors.ts';
import type { GraphNotifier, LifecycleEvent } from './graph-notifier.ts';
import type { Guard, Req } from './graph-route-kit.ts';
import type { GraphStore } from './graph-store.ts';
import {
  expiryOf,
  parseChangeTypes,
  parseResource,
  subscriptionJson,
  type GraphSubscription,
  type GraphSubscriptions,
} from './graph-subscriptions.ts';

/**
 * `/v1.0/subscriptions` (provider-apis.md §D.6) for the signed-in mailbox: create (after the
 * validation handshake with each URL), list, get, renew (`PATCH`), delete and `reauthorize`; the
 * store hooks that turn every message and event change into notifications; and the control routes
 * that send lifecycle events, expire a subscription and list a mailbox's subscriptions.
 */
const LIFECYCLE_EVENTS: readonly LifecycleEvent[] = [
  'reauthorizationRequired',
  'subscriptionRemoved',
  'missed',
];

interface CreateBody {
  changeType?: string;
  notificationUrl?: string;
  lifecycleNotificationUrl?: string;
  resource?: string;
  expirationDateTime?: string;
  clientState?: string;
  latestSupportedTlsVersion?: string;
}

const invalid = (reply: FastifyReply, message: string) =>
  reply.code(400).send(graphError('InvalidRequest', message));

const notFound = (reply: FastifyReply) =>
  reply.code(404).send(graphError('ResourceNotFound', 'The object was not found.'));

export function registerGraphSubscriptionRoutes(
  app: FastifyInstance,
  deps: {
    guard: Guard;
    store: GraphStore;
    calendars: GraphCalendarStore;
    subscriptions: GraphSubscriptions;
    notifier: GraphNotifier;
    /** Accept `http://` notification URLs (tests run the receiving service over plain HTTP). */
    allowHttpNotifications: boolean;
  },
): void {
  const { guard, store, calendars, subscriptions, notifier } = deps;

  // ---- changes → notifications -----------------------------------------------------------------
  store.onChange((mb, change) => {
    for (const [sub, changeType] of subscriptions.forMailChange(mb.email, change)) {
      const etag = createHash('sha256')
        .update(`${change.messageId}:${String(mb.seq)}`)
        .digest('base64')
        .slice(0, 24);
      notifier.notify(sub, changeType, {
        type: 'Message',
        id: change.messageId,
        userId: mb.userId,
        etag: `W/"CQAAABYAAAD${etag}"`,
      });
    }
  });
  calendars.onChange((email, change) => {
    const changeKey = calendars.calendar(email).events.get(change.eventId)?.changeKey;
    const etag = changeKey ?? createHash('sha256').update(change.eventId).digest('base64');
    for (const sub of subscriptions.forEventChange(email, change.changeType)) {
      notifier.notify(sub, change.changeType, {
        type: 'Event',
        id: change.eventId,
        userId: store.mailbox(email).userId,
        etag: `W/"${etag.slice(0, 24)}"`,
      });
    }
  });

  const allowedUrl = (url: string | undefined) => {
    if (!url || !URL.canParse(url)) {
      return false;
    }
    const { protocol } = new URL(url);
    return protocol === 'https:' || (deps.allowHttpNotifications && protocol === 'http:');
  };

  // ---- Graph API ------------------------------------------------------------------------------
  app.post('/v1.0/subscriptions', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'subscriptions.create');
    if (!mb) {
      return reply;
    }
    const body = (req.body ?? {}) as CreateBody;
    const subscribed = parseResource(body.resource ?? '');
    if (!subscribed) {
      return invalid(reply, `Resource '${body.resource ?? ''}' is not supported.`);
    }
    const changeTypes = parseChangeTypes(body.changeType ?? '');
    if (!changeTypes) {
      return invalid(reply, `Invalid changeType '${body.changeType ?? ''}'.`);
    }
    if (!allowedUrl(body.notificationUrl)) {
      return invalid(reply, 'The notificationUrl must be an absolute https URL.');
    }
    if (body.lifecycleNotificationUrl !== undefined && !allowedUrl(body.lifecycleNotificationUrl)) {
      return invalid(reply, 'The lifecycleNotificationUrl must be an absolute https URL.');
    }
    if (body.clientState !== undefined && body.clientState.length > 128) {
      return invalid(reply, 'clientState must be at most 128 characters long.');
    }
    const expiresAt = expiryOf(body.expirationDateTime);
    if (typeof expiresAt !== 'number') {
      return invalid(reply, expiresAt.refused);
    }
    const urls = [body.notificationUrl ?? '', body.lifecycleNotificationUrl ?? ''].filter(Boolean);
    for (const url of urls) {
      if (!(await notifier.validate(url))) {
        return reply
          .code(400)
          .send(
            graphError(
              'ValidationError',
              `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (${url})`,
            ),
          );
      }
    }
    const sub = subscriptions.add({
      email: mb.email,
      resource: body.resource ?? '',
      subscribed,
      changeType: body.changeType ?? '',
      changeTypes,
      notificationUrl: body.notificationUrl ?? '',
      lifecycleNotificationUrl: body.lifecycleNotificationUrl ?? null,
      expiresAt,
      clientState: body.clientState ?? null,
      creatorId: mb.userId,
      latestSupportedTlsVersion: body.latestSupportedTlsVersion ?? 'v1_2',
    });
    return reply.code(201).send(subscriptionJson(sub));
  });

  app.get('/v1.0/subscriptions', async (req: Req, reply) => {
    const mb = await guard(req, reply, 'subscriptions.list');
    if (!mb) {
      return reply;
    }
    return {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions',
      value: subscriptions.of(mb.email).map(subscriptionJson),
    };
  });

  /** The mailbox's own live subscription named in the path, or null once answered 404. */
  async function owned(req: Req, reply: FastifyReply, route: string) {
    const mb = await guard(req, reply, route);
    if (!mb) {
      return null;
    }
    const sub = subscriptions.get(req.params['id'] ?? '');
    if (!sub || sub.email !== mb.email) {
      await notFound(reply);
      return null;
    }
    return sub;
  }

  app.get('/v1.0/subscriptions/:id', async (req: Req, reply) => {
    const sub = await owned(req, reply, 'subscriptions.get');
    return sub ? subscriptionJson(sub) : reply;
  });

  app.patch('/v1.0/subscriptions/:id', async (req: Req, reply) => {
    const sub = await owned(req, reply, 'subscriptions.update');
    if (!sub) {
      return reply;
    }
    const expiresAt = expiryOf((req.body as CreateBody | undefined)?.expirationDateTime);
    if (typeof expiresAt !== 'number') {
      return invalid(reply, expiresAt.refused);
    }
    sub.expiresAt = expiresAt;
    sub.paused = false;
    return subscriptionJson(sub);
  });

  app.delete('/v1.0/subscriptions/:id', async (req: Req, reply) => {
    const sub = await owned(req, reply, 'subscriptions.delete');
    if (!sub) {
      return reply;
    }
    subscriptions.delete(sub.id);
    return reply.code(204).send();
  });

  app.post('/v1.0/subscriptions/:id/reauthorize', async (req: Req, reply) => {
    const sub = await owned(req, reply, 'subscriptions.reauthorize');
    if (!sub) {
      return reply;
    }
    sub.paused = false;
    return reply.code(204).send();
  });

  // ---- control interface ----------------------------------------------------------------------
  const controlled = (req: Req, reply: FastifyReply): GraphSubscription | null => {
    const sub = subscriptions.get(req.params['id'] ?? '');
    if (!sub) {
      void notFound(reply);
    }
    return sub;
  };

  app.post('/__control/subscriptions/:id/lifecycle', (req: Req, reply) => {
    const sub = controlled(req, reply);
    if (!sub) {
      return reply;
    }
    const event = (req.body as { event?: LifecycleEvent } | undefined)?.event;
    if (!event || !LIFECYCLE_EVENTS.includes(event)) {
      return invalid(reply, `event must be one of ${LIFECYCLE_EVENTS.join(', ')}`);
    }
    if (!sub.lifecycleNotificationUrl) {
      return invalid(reply, 'The subscription has no lifecycleNotificationUrl.');
    }
    if (event === 'subscriptionRemoved') {
      subscriptions.delete(sub.id);
    } else if (event === 'reauthorizationRequired') {
      sub.paused = true;
    }
    return reply.send(notifier.lifecycle(sub, event));
  });

  // Ends a subscription's lifetime now, as if its expirationDateTime had passed.
  app.post('/__control/subscriptions/:id/expire', (req: Req, reply) => {
    const sub = controlled(req, reply);
    if (!sub) {
      return reply;
    }
    sub.expiresAt = Date.now();
    return reply.send({ expired: true });
  });

  app.get('/__control/mailboxes/:email/subscriptions', (req: Req, reply) =>
    reply.send({
      value: subscriptions.of(decodeURIComponent(req.params['email'] ?? '')).map((s) => ({
        ...subscriptionJson(s),
        reauthorizationRequired: s.paused,
      })),
    }),
  );
}
