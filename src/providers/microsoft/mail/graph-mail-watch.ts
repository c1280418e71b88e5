import type { MailWatch, PushChannel, PushResource } from '../../mail-watch.ts';
import { ProviderError } from '../../provider-error.ts';
import type { GraphRequester } from '../graph-requester.ts';

export interface GraphMailWatchOptions {
  graph: GraphRequester;
  /** From `graphPushResources`. */
  resources: readonly PushResource[];
  /** `${PUBLIC_URL}/push/microsoft`: notifications and lifecycle events both go there. */
  notificationUrl: string;
  lifetimeMinutes: number;
}

interface GraphSubscription {
  id: string;
  expirationDateTime: string;
}

const CALENDAR_RESOURCE: PushResource = 'calendar';

/**
 * A subscription per synced folder, by its well-known name (`mail:inbox`, `mail:sentitems`), and
 * one for the calendar when it syncs.
 */
export function graphPushResources(folders: readonly string[], calendar: boolean): PushResource[] {
  return [...folders.map((folder) => `mail:${folder}`), ...(calendar ? [CALENDAR_RESOURCE] : [])];
}

/** Graph's resource path for a channel. */
function graphResource(resource: PushResource): string {
  if (resource === CALENDAR_RESOURCE) {
    return 'me/events';
  }
  const folder = resource.slice('mail:'.length);
  return `me/mailFolders('${folder}')/messages`;
}

/**
 * MailWatch over Graph change notifications (provider-apis.md §D.6): a subscription per synced
 * folder and one for the calendar, each with its own `clientState` and the lifecycle URL set at
 * creation (it cannot be added later). Graph checks both URLs with a validation request before it
 * answers the create, so the API must be reachable at PUBLIC_URL by then. Renewing is a PATCH of
 * the expiry, which also answers a `reauthorizationRequired`.
 */
export class GraphMailWatch implements MailWatch {
  readonly resources: readonly PushResource[];
  private readonly options: GraphMailWatchOptions;

  constructor(options: GraphMailWatchOptions) {
    this.options = options;
    this.resources = options.resources;
  }

  private expiry(): string {
    return new Date(Date.now() + this.options.lifetimeMinutes * 60_000).toISOString();
  }

  async open(resource: PushResource, clientState: string): Promise<PushChannel> {
    const created = (await this.options.graph.call(() =>
      this.options.graph.client.api('/subscriptions').post({
        changeType: 'created,updated,deleted',
        notificationUrl: this.options.notificationUrl,
        lifecycleNotificationUrl: this.options.notificationUrl,
        resource: graphResource(resource),
        expirationDateTime: this.expiry(),
        clientState,
      }),
    )) as GraphSubscription;
    return { resource, externalId: created.id, expiresAt: new Date(created.expirationDateTime) };
  }

  async renew(channel: PushChannel): Promise<Date> {
    const id = subscriptionId(channel);
    const renewed = (await this.options.graph.call(() =>
      this.options.graph.client
        .api(`/subscriptions/${encodeURIComponent(id)}`)
        .patch({ expirationDateTime: this.expiry() }),
    )) as GraphSubscription;
    return new Date(renewed.expirationDateTime);
  }

  async close(channel: PushChannel): Promise<void> {
    const id = subscriptionId(channel);
    try {
      await this.options.graph.call(() =>
        this.options.graph.client.api(`/subscriptions/${encodeURIComponent(id)}`).delete(),
      );
    } catch (err) {
      // Expired or removed by Graph already: what closing wanted.
      if (!(err instanceof ProviderError && err.kind === 'NOT_FOUND')) {
        throw err;
      }
    }
  }

  /** Halfway through its life: a missed renewal still leaves time for the next check. */
  renewAt(expiresAt: Date, now: Date): Date {
    return new Date(now.getTime() + (expiresAt.getTime() - now.getTime()) / 2);
  }
}

function subscriptionId(channel: PushChannel): string {
  if (!channel.externalId) {
    throw new ProviderError(
      'PERMANENT',
      `Graph channel ${channel.resource} has no subscription id`,
    );
  }
  return channel.externalId;
}
