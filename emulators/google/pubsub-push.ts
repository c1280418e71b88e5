import { PushDelivery, type PushDeliveryOptions } from '../shared/push-delivery.ts';
import type { GoogleIdTokens } from './google-id-token.ts';
import { topicProject } from './gmail-watches.ts';

/**
 * Cloud Pub/Sub push subscriptions as Gmail's watch notifications reach a webhook (provider-apis.md
 * §A.7): Gmail publishes `{emailAddress, historyId}` to the watch's topic, at most once per second
 * per user (Google drops the rest), and every push subscription of that topic gets
 * `{message: {data: base64(JSON), messageId, publishTime, attributes}, subscription}`, with an OIDC
 * id token for its audience when it has one. Delivery is at-least-once (PushDelivery): a
 * redelivery keeps its messageId.
 */
export interface PushSubscription {
  /** `projects/<project>/subscriptions/<name>`. */
  name: string;
  topic: string;
  pushEndpoint: string;
  /** When set, each push carries `Authorization: Bearer <id token for this audience>`. */
  audience: string | null;
  serviceAccountEmail: string;
  /** Puts `historyId` in `message.data` as a JSON number (some producers do) instead of a string. */
  historyIdAsNumber: boolean;
}

export interface PushStats {
  /** Notifications Gmail published (after the 1 per second limit). */
  published: number;
  /** Pushes answered 2xx. */
  delivered: number;
  /** Pushes given up after their last retry. */
  failed: number;
  /** Attempts repeated after a failed one. */
  retried: number;
  /** Notifications dropped by the 1 per second per user limit. */
  dropped: number;
}

export const emptyPushStats = (): PushStats => ({
  published: 0,
  delivered: 0,
  failed: 0,
  retried: 0,
  dropped: 0,
});

export type SubscriptionSpec = {
  topic?: string;
  pushEndpoint?: string;
  name?: string;
  audience?: string;
  serviceAccountEmail?: string;
  historyIdAsNumber?: boolean;
};

export class PubSubPush {
  private readonly subscriptions: PushSubscription[] = [];
  private readonly lastPublished = new Map<string, number>();
  private readonly delivery: PushDelivery;
  private readonly tokens: GoogleIdTokens;
  private readonly stats: { push: PushStats };
  private messageId = 2_070_443_601_311_540;

  /** `stats.push` is read at each count, so the emulator may reset it by replacing it. */
  constructor(tokens: GoogleIdTokens, stats: { push: PushStats }, options?: PushDeliveryOptions) {
    this.tokens = tokens;
    this.stats = stats;
    this.delivery = new PushDelivery(options);
  }

  /** Adds a push subscription, or explains why the spec is refused. */
  subscribe(spec: SubscriptionSpec): PushSubscription | { refused: string } {
    const project = topicProject(spec.topic ?? '');
    if (!spec.topic || !project) {
      return { refused: 'topic must be projects/<project>/topics/<topic>' };
    }
    if (!spec.pushEndpoint || !URL.canParse(spec.pushEndpoint)) {
      return { refused: 'pushEndpoint must be an absolute URL' };
    }
    const short = spec.name ?? `gmail-push-${String(this.subscriptions.length + 1)}`;
    const subscription: PushSubscription = {
      name: `projects/${project}/subscriptions/${short}`,
      topic: spec.topic,
      pushEndpoint: spec.pushEndpoint,
      audience: spec.audience ?? null,
      serviceAccountEmail:
        spec.serviceAccountEmail ?? `pubsub-push@${project}.iam.gserviceaccount.com`,
      historyIdAsNumber: spec.historyIdAsNumber ?? false,
    };
    const existing = this.subscriptions.findIndex((s) => s.name === subscription.name);
    if (existing >= 0) {
      this.subscriptions.splice(existing, 1);
    }
    this.subscriptions.push(subscription);
    return subscription;
  }

  list(): readonly PushSubscription[] {
    return this.subscriptions;
  }

  clear(): void {
    this.subscriptions.length = 0;
  }

  /**
   * Gmail publishing a change of `emailAddress`'s mailbox to `topic`: dropped when the user had
   * one less than a second ago, else pushed to each of the topic's subscriptions.
   */
  publish(topic: string, emailAddress: string, historyId: number, now = Date.now()): void {
    const last = this.lastPublished.get(emailAddress);
    if (last !== undefined && now - last < 1000) {
      this.stats.push.dropped++;
      return;
    }
    this.lastPublished.set(emailAddress, now);
    this.stats.push.published++;
    const messageId = String(this.messageId++);
    const publishTime = new Date(now).toISOString();
    for (const sub of this.subscriptions.filter((s) => s.topic === topic)) {
      const data = {
        emailAddress,
        historyId: sub.historyIdAsNumber ? historyId : String(historyId),
      };
      const body = {
        message: {
          data: Buffer.from(JSON.stringify(data)).toString('base64'),
          attributes: {},
          messageId,
          message_id: messageId,
          publishTime,
          publish_time: publishTime,
        },
        subscription: sub.name,
      };
      const audience = sub.audience;
      const stats = this.stats;
      this.delivery.send(
        sub.pushEndpoint,
        body,
        {
          delivered: () => {
            stats.push.delivered++;
          },
          retried: () => {
            stats.push.retried++;
          },
          failed: () => {
            stats.push.failed++;
          },
        },
        // A fresh token on each attempt, as Pub/Sub signs each request.
        (): Record<string, string> =>
          audience === null
            ? {}
            : {
                authorization: `Bearer ${this.tokens.sign({ audience, email: sub.serviceAccountEmail })}`,
              },
      );
    }
  }

  /** Pushes still being tried. */
  get pending(): number {
    return this.delivery.pending;
  }

  close(): Promise<void> {
    return this.delivery.close();
  }
}
