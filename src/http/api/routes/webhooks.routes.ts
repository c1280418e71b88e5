import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../../../events/catalog.ts';
import {
  createWorkspaceWebhook,
  deleteWorkspaceWebhook,
  deliveryCursorKey,
  listWorkspaceWebhooks,
  replayWorkspaceDelivery,
  webhookCursorKey,
  workspaceWebhookDeliveries,
} from '../../../services/webhooks.ts';
import { scopeOf } from '../auth.ts';
import { commonErrors, idParams, listOf, notFound, unavailable } from '../common-schemas.ts';
import { cursorParam, decodeCursor, limitParam, page } from '../../../services/pagination.ts';
import type { ApiRoutes } from '../api-app.ts';

/** `webhook:list`'s object per webhook (never the secret). */
const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()).nullable().describe('null: every event type'),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  lastError: z.string().nullable(),
  lastErrorAt: z.string().nullable(),
  createdAt: z.string(),
});

/** `webhook:deliveries`'s object per delivery. */
const deliverySchema = z.object({
  eventId: z.string(),
  type: z.string(),
  attempts: z.number().int(),
  status: z.enum(['retrying', 'delivered', 'failed']),
  responseStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  at: z.string().describe("the last attempt's time, or when the delivery was queued"),
});

const createBody = z.object({
  url: z
    .string()
    .min(1)
    .max(2000)
    .describe('the endpoint deliveries are POSTed to (http or https)'),
  events: z
    .array(z.enum(EVENT_TYPES as [EventType, ...EventType[]]))
    .max(EVENT_TYPES.length)
    .optional()
    .describe('event types to send; absent or empty: every type, including later ones'),
});

const pageQuery = z.object({ limit: limitParam, cursor: cursorParam });

/**
 * The webhook CLI over HTTP: `POST /webhooks` answers 201 `{id, secret}` (the secret shown this
 * once), `GET /webhooks`, `DELETE /webhooks/{id}`, `GET /webhooks/{id}/deliveries`. A URL the
 * egress policy refuses is a 400 with its one-line reason.
 */
export const webhookRoutes: ApiRoutes = (app, deps) => {
  const em = () => deps.services.orm.em.fork();
  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Creates a webhook; its signing secret is in this answer only',
        body: createBody,
        response: {
          201: z.object({ id: z.string(), secret: z.string().describe('whsec_…, shown once') }),
          ...commonErrors,
        },
      },
    },
    async (req, reply) => {
      const { services } = deps;
      const created = await createWorkspaceWebhook(
        scopeOf(req),
        { em: em(), secretBox: services.secretBox(), egress: services.config.webhooks.egress },
        { url: req.body.url, events: req.body.events ?? [] },
      );
      return reply.code(201).send(created);
    },
  );
  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: "The workspace's webhooks, oldest first (no secrets)",
        querystring: pageQuery,
        response: { 200: listOf(webhookSchema), ...commonErrors },
      },
    },
    async (req) => {
      const rows = await listWorkspaceWebhooks(scopeOf(req), em(), {
        limit: req.query.limit,
        after: decodeCursor(req.query.cursor, webhookCursorKey),
      });
      const { items, nextCursor } = page(rows, req.query.limit, (r) => r.key);
      return { items: items.map((r) => r.item), nextCursor };
    },
  );
  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Deletes the webhook with its deliveries and their log',
        params: idParams,
        response: { 200: z.object({ deleted: z.string() }), ...commonErrors, ...notFound },
      },
    },
    async (req) => deleteWorkspaceWebhook(scopeOf(req), em(), req.params.id),
  );
  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: "The webhook's deliveries, newest first",
        params: idParams,
        querystring: pageQuery,
        response: { 200: listOf(deliverySchema), ...commonErrors, ...notFound },
      },
    },
    async (req) => {
      const rows = await workspaceWebhookDeliveries(scopeOf(req), em(), req.params.id, {
        limit: req.query.limit,
        before: decodeCursor(req.query.cursor, deliveryCursorKey),
      });
      const { items, nextCursor } = page(rows, req.query.limit, (r) => r.key);
      return { items: items.map((r) => r.item), nextCursor };
    },
  );
  app.post(
    '/webhooks/:id/deliveries/:eventId/replay',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Sends an event's settled delivery again (same webhook-id, fresh attempts)",
        params: idParams.extend({
          eventId: z
            .string()
            .regex(/^evt_\d{19}$/)
            .describe('evt_…'),
        }),
        response: {
          202: z.object({ replayed: z.number().int().describe('0: nothing settled to replay') }),
          ...commonErrors,
          ...notFound,
          ...unavailable,
        },
      },
    },
    async (req, reply) => {
      const { services } = deps;
      await services.queueReady();
      const result = await replayWorkspaceDelivery(
        scopeOf(req),
        { em: em(), queue: services.webhookQueue(), config: services.config.webhooks },
        req.params.id,
        req.params.eventId,
      );
      return reply.code(202).send(result);
    },
  );
};
