import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { z } from 'zod';
import type { WorkspaceScope } from '../db/workspace-scope.ts';
import { InvalidInputError } from '../errors.ts';
import type { ResolveAll } from '../security/egress-guard.ts';
import type { EgressPolicy } from '../security/egress-policy.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { createWebhook } from '../webhooks/create-webhook.ts';
import { replayWebhook } from '../webhooks/replay-webhook.ts';
import {
  deleteWebhook,
  listWebhooks,
  webhookDeliveries,
  type DeliveryView,
  type WebhookView,
} from '../webhooks/webhook-admin.ts';
import { requireOwned } from './require-owned.ts';

/**
 * The webhook CLI's operations for one workspace (`/api/v1/webhooks`): the same use cases, with
 * the workspace taken from the scope and every webhook id checked against it first (another
 * workspace's webhook is "not found").
 */
export interface WebhookCreateDeps {
  em: EntityManager;
  secretBox: SecretBox;
  egress: EgressPolicy;
  resolve?: ResolveAll;
}

/** `{id, secret}`: the secret is shown this once. A URL the egress policy refuses is a 400. */
export async function createWorkspaceWebhook(
  scope: WorkspaceScope,
  deps: WebhookCreateDeps,
  input: { url: string; events: readonly string[] },
): Promise<{ id: string; secret: string }> {
  try {
    return await createWebhook(deps, {
      workspaceId: scope.workspaceId,
      url: input.url,
      eventTypes: input.events,
    });
  } catch (err) {
    // The one-line egress refusal (event types are checked by the request schema already).
    throw err instanceof InvalidInputError
      ? new InvalidInputError(`body.url: ${err.message}`)
      : err;
  }
}

/** A webhook's list position: its creation time and id. */
export const webhookCursorKey = z.tuple([z.string(), z.string()]);
type WebhookKey = z.infer<typeof webhookCursorKey>;

/**
 * Oldest first, keyset on (createdAt, id): up to `limit + 1` webhooks after `after`, each with
 * its key (the extra one says there is a next page). A workspace has a handful of webhooks, so
 * they are read whole and the keyset applied here.
 */
export async function listWorkspaceWebhooks(
  scope: WorkspaceScope,
  em: EntityManager,
  opts: { limit: number; after: WebhookKey | null },
): Promise<{ item: WebhookView; key: WebhookKey }[]> {
  const { webhooks } = await listWebhooks(em, scope.workspaceId);
  const after = opts.after;
  return webhooks
    .map((item) => ({ item, key: [item.createdAt, item.id] as WebhookKey }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .filter((x) => after === null || compareKeys(x.key, after) > 0)
    .slice(0, opts.limit + 1);
}

function compareKeys(a: WebhookKey, b: WebhookKey): number {
  if (a[0] !== b[0]) {
    return a[0] < b[0] ? -1 : 1;
  }
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export async function deleteWorkspaceWebhook(
  scope: WorkspaceScope,
  em: EntityManager,
  id: string,
): Promise<{ deleted: string }> {
  await requireOwned(scope, 'webhook', id);
  return deleteWebhook(em, id);
}

/** `[createdKey, eventId]` of a delivery: where the newest-first list goes on from. */
export const deliveryCursorKey = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  z.string(),
]);
type DeliveryCursor = z.infer<typeof deliveryCursorKey>;

/**
 * `webhook:deliveries` for one of the workspace's webhooks, newest first: up to `limit + 1`
 * deliveries after `before`, each with its key.
 */
export async function workspaceWebhookDeliveries(
  scope: WorkspaceScope,
  em: EntityManager,
  id: string,
  opts: { limit: number; before: DeliveryCursor | null },
): Promise<{ item: DeliveryView; key: DeliveryCursor }[]> {
  await requireOwned(scope, 'webhook', id);
  const { deliveries, keys } = await webhookDeliveries(em, id, {
    limit: opts.limit + 1,
    ...(opts.before === null
      ? {}
      : { before: { createdKey: opts.before[0], eventId: opts.before[1] } }),
  });
  return deliveries.map((item, i) => ({
    item,
    key: [keys[i]?.createdKey ?? '', keys[i]?.eventId ?? ''] as DeliveryCursor,
  }));
}

/**
 * Sends one event's settled delivery to one of the workspace's webhooks again (as
 * `webhook:replay --event`), with a fresh attempt budget and the same `webhook-id`.
 */
export async function replayWorkspaceDelivery(
  scope: WorkspaceScope,
  deps: { em: EntityManager; queue: Queue; config: Config['webhooks'] },
  id: string,
  eventId: string,
): Promise<{ replayed: number }> {
  await requireOwned(scope, 'webhook', id);
  return replayWebhook(deps, id, { eventId });
}
