import { randomUUID } from 'node:crypto';
import { PushDelivery, type PushDeliveryOptions } from '../shared/push-delivery.ts';
import {
  EMULATOR_TENANT_ID,
  type ChangeType,
  type GraphSubscription,
} from './graph-subscriptions.ts';

/**
 * How Graph reaches a subscriber (provider-apis.md §D.6): the validation handshake before a
 * subscription exists (`POST {url}?validationToken=…`, answered within 10 s with 200, text/plain
 * and the decoded token), change notifications gathered for ~100 ms into one `{value: [...]}` POST
 * per notification URL (subscriptions sharing a URL share the POST), and lifecycle notifications.
 * Each POST is delivered at-least-once (PushDelivery); answers slower than 2,900 ms count as slow,
 * which Graph throttles.
 */
export interface NotificationStats {
  /** POSTs answered 2xx. */
  delivered: number;
  /** POSTs given up after their last retry. */
  failed: number;
  /** Attempts repeated after a failed one. */
  retried: number;
  /** Answers that took longer than 2,900 ms. */
  slow: number;
  /** Validation handshakes sent. */
  validations: number;
}

export const emptyNotificationStats = (): NotificationStats => ({
  delivered: 0,
  failed: 0,
  retried: 0,
  slow: 0,
  validations: 0,
});

/** What changed: a message or an event of a mailbox (whose directory id is `userId`). */
export interface ChangedItem {
  type: 'Message' | 'Event';
  id: string;
  userId: string;
  etag: string;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

const SLOW_MS = 2_900;
const GATHER_MS = 100;

export class GraphNotifier {
  private readonly delivery: PushDelivery;
  private readonly stats: { notifications: NotificationStats };
  private readonly batches = new Map<
    string,
    { items: Record<string, unknown>[]; timer: NodeJS.Timeout }
  >();
  private readonly handshakeTimeoutMs: number;

  /** `stats.notifications` is read at each count, so it may be replaced to reset it. */
  constructor(
    stats: { notifications: NotificationStats },
    options: PushDeliveryOptions & { handshakeTimeoutMs?: number } = {},
  ) {
    this.stats = stats;
    this.delivery = new PushDelivery(options);
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  }

  /**
   * The validation handshake: true only for a 200 with a text/plain content type whose body is
   * exactly the token, within the time allowed.
   */
  async validate(url: string): Promise<boolean> {
    this.stats.notifications.validations++;
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(this.handshakeTimeoutMs),
      });
      const body = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return res.status === 200 && /^text\/plain\b/i.test(type) && body === token;
    } catch {
      return false;
    }
  }

  /** Queues one change notification; the POST leaves ~100 ms after the first one queued. */
  notify(sub: GraphSubscription, changeType: ChangeType, item: ChangedItem): void {
    const resource = `Users/${item.userId}/${item.type}s/${item.id}`;
    const notification = {
      id: randomUUID().replaceAll('-', '').slice(0, 16),
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: new Date(sub.expiresAt).toISOString(),
      clientState: sub.clientState,
      changeType,
      resource,
      tenantId: EMULATOR_TENANT_ID,
      resourceData: {
        '@odata.type': `#Microsoft.Graph.${item.type}`,
        '@odata.id': resource,
        '@odata.etag': item.etag,
        id: item.id,
      },
    };
    const url = sub.notificationUrl;
    const batch = this.batches.get(url);
    if (batch) {
      batch.items.push(notification);
      return;
    }
    const timer = setTimeout(() => {
      const items = this.batches.get(url)?.items ?? [];
      this.batches.delete(url);
      this.post(url, { value: items });
    }, GATHER_MS);
    this.batches.set(url, { items: [notification], timer });
  }

  /** Sends a lifecycle notification to the subscription's lifecycle URL (the caller checked it). */
  lifecycle(sub: GraphSubscription, event: LifecycleEvent): Record<string, unknown> {
    const body = {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: new Date(sub.expiresAt).toISOString(),
          tenantId: EMULATOR_TENANT_ID,
          clientState: sub.clientState,
          lifecycleEvent: event,
        },
      ],
    };
    if (sub.lifecycleNotificationUrl) {
      this.post(sub.lifecycleNotificationUrl, body);
    }
    return body;
  }

  /** POSTs still being tried, batches still gathering. */
  get pending(): number {
    return this.delivery.pending + this.batches.size;
  }

  /** Drops the batches still gathering and stops every delivery. */
  async close(): Promise<void> {
    for (const batch of this.batches.values()) {
      clearTimeout(batch.timer);
    }
    this.batches.clear();
    await this.delivery.close();
  }

  private post(url: string, body: unknown): void {
    const stats = this.stats;
    this.delivery.send(url, body, {
      delivered: () => {
        stats.notifications.delivered++;
      },
      retried: () => {
        stats.notifications.retried++;
      },
      failed: () => {
        stats.notifications.failed++;
      },
      answered: (ms) => {
        if (ms > SLOW_MS) {
          stats.notifications.slow++;
        }
      },
    });
  }
}
