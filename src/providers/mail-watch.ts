/**
 * The narrow port a provider adapter implements for push: it opens, renews and closes the
 * channels through which the provider tells Mailroom that a mailbox changed (a Gmail `users.watch`,
 * Graph change-notification subscriptions). A push only wakes the mailbox's sync, so nothing here
 * reads mail. Methods throw ProviderError (`NOT_FOUND` when a channel is gone at the provider).
 */

/**
 * What a channel watches, stable per mailbox and the key of its stored row: `calendar` for a
 * calendar, anything else (`mail`, `mail:inbox`) for mail.
 */
export type PushResource = string;

/** Which of the mailbox's syncs a push on `resource` wakes. */
export function syncWokenBy(resource: PushResource): 'mail' | 'calendar' {
  return resource === 'calendar' ? 'calendar' : 'mail';
}

/** A channel as stored: enough to renew, close and recognise its notifications. */
export interface PushChannel {
  resource: PushResource;
  /** The provider's id of the channel (a Graph subscription id); null for Gmail's one watch. */
  externalId: string | null;
  expiresAt: Date;
}

export interface MailWatch {
  /** The channels a mailbox needs, one per resource (Gmail: the mailbox; Graph: each folder, the calendar). */
  readonly resources: readonly PushResource[];
  /**
   * Opens a channel. `clientState` is the secret the provider repeats in every notification
   * (Graph); providers that sign their pushes another way ignore it.
   */
  open(resource: PushResource, clientState: string): Promise<PushChannel>;
  /** Extends a live channel (its clientState stays); answers its new expiry. */
  renew(channel: PushChannel): Promise<Date>;
  /** Ends a channel; one already gone at the provider is not an error. */
  close(channel: PushChannel): Promise<void>;
  /** When a channel opened or renewed now should be renewed next. */
  renewAt(expiresAt: Date, now: Date): Date;
}
