import { randomUUID } from 'node:crypto';
import type { MailChange } from './graph-store.ts';

/**
 * Graph change-notification subscriptions (provider-apis.md §D.6) and their rules: the resources
 * served (the inbox or Sent Items messages, all messages, the calendar's events), the change types,
 * `clientState` (≤ 128 characters), the lifetime (at most 10,080 minutes; under 45 minutes is
 * raised to 45), expiry (an expired subscription is gone), and which subscriptions a change
 * notifies. `reauthorizationRequired` pauses one until it is renewed or reauthorized.
 */
export type SubscribedResource =
  { kind: 'folder'; folder: 'inbox' | 'sentitems' } | { kind: 'messages' } | { kind: 'events' };

export type ChangeType = 'created' | 'updated' | 'deleted';

export interface GraphSubscription {
  id: string;
  email: string;
  resource: string;
  subscribed: SubscribedResource;
  changeType: string;
  changeTypes: ChangeType[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  /** Epoch ms. */
  expiresAt: number;
  clientState: string | null;
  creatorId: string;
  latestSupportedTlsVersion: string;
  /** A reauthorizationRequired lifecycle event was sent: no notifications until renewed. */
  paused: boolean;
}

/** The emulated tenant and application the notifications name. */
export const EMULATOR_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const EMULATOR_APPLICATION_ID = '24d3b144-21ae-4080-943f-7067b395b913';

const MAX_MINUTES = 10_080;
const MIN_MINUTES = 45;

export function parseResource(resource: string): SubscribedResource | null {
  const path = resource.replace(/^\//, '');
  const folder = /^me\/mailFolders(?:\('([^']*)'\)|\/([^/]+))\/messages$/i.exec(path);
  if (folder) {
    const name = (folder[1] ?? folder[2] ?? '').toLowerCase();
    return name === 'inbox' || name === 'sentitems' ? { kind: 'folder', folder: name } : null;
  }
  if (/^me\/messages$/i.test(path)) {
    return { kind: 'messages' };
  }
  return /^me\/events$/i.test(path) ? { kind: 'events' } : null;
}

export function parseChangeTypes(value: string): ChangeType[] | null {
  const types = value.split(',').map((t) => t.trim());
  const known = types.filter((t): t is ChangeType => ['created', 'updated', 'deleted'].includes(t));
  return types.length > 0 && known.length === types.length ? known : null;
}

/** The expiry a create or renewal asks for, with Graph's bounds, or why it is refused. */
export function expiryOf(value: unknown, now = Date.now()): number | { refused: string } {
  const at = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) {
    return { refused: 'expirationDateTime is required and must be an ISO 8601 date and time.' };
  }
  if (at <= now) {
    return { refused: 'Subscription expiration can only be in the future.' };
  }
  if (at > now + MAX_MINUTES * 60_000) {
    return {
      refused: `Subscription expiration can only be ${String(MAX_MINUTES)} minutes in the future.`,
    };
  }
  return Math.max(at, now + MIN_MINUTES * 60_000);
}

/** The subscription as Graph answers it. */
export function subscriptionJson(s: GraphSubscription): Record<string, unknown> {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
    id: s.id,
    resource: s.resource,
    applicationId: EMULATOR_APPLICATION_ID,
    changeType: s.changeType,
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: new Date(s.expiresAt).toISOString(),
    creatorId: s.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

export class GraphSubscriptions {
  private readonly byId = new Map<string, GraphSubscription>();

  add(fields: Omit<GraphSubscription, 'id' | 'paused'>): GraphSubscription {
    const sub: GraphSubscription = { ...fields, id: randomUUID(), paused: false };
    this.byId.set(sub.id, sub);
    return sub;
  }

  /** A live subscription; an expired one is removed on the way. */
  get(id: string, now = Date.now()): GraphSubscription | null {
    const sub = this.byId.get(id);
    if (sub && sub.expiresAt <= now) {
      this.byId.delete(id);
      return null;
    }
    return sub ?? null;
  }

  delete(id: string): boolean {
    return this.byId.delete(id);
  }

  /** A mailbox's live subscriptions, oldest first. */
  of(email: string): GraphSubscription[] {
    return [...this.byId.keys()]
      .map((id) => this.get(id))
      .filter((s): s is GraphSubscription => s !== null && s.email === email.toLowerCase());
  }

  /**
   * The subscriptions a message change notifies, each with the change type it sees: a folder's
   * subscriptions see the change as it is; `me/messages` sees a move as an update (the message is
   * still in the mailbox) and nothing for the old folder's side of it.
   */
  forMailChange(email: string, change: MailChange): [GraphSubscription, ChangeType][] {
    const out: [GraphSubscription, ChangeType][] = [];
    for (const sub of this.of(email)) {
      const { subscribed } = sub;
      let seen: ChangeType | null = null;
      if (subscribed.kind === 'folder' && subscribed.folder === change.folder) {
        seen = change.changeType;
      } else if (subscribed.kind === 'messages') {
        seen = !change.moved
          ? change.changeType
          : change.changeType === 'created'
            ? 'updated'
            : null;
      }
      if (seen && !sub.paused && sub.changeTypes.includes(seen)) {
        out.push([sub, seen]);
      }
    }
    return out;
  }

  forEventChange(email: string, changeType: ChangeType): GraphSubscription[] {
    return this.of(email).filter(
      (s) => s.subscribed.kind === 'events' && !s.paused && s.changeTypes.includes(changeType),
    );
  }
}
