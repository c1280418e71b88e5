/**
 * `users.watch` state (provider-apis.md §A.7): per user, the Pub/Sub topic Gmail publishes to, an
 * optional label filter and the watch's expiry (7 days, renewed by watching again). `users.stop`
 * ends it. A history change notifies only while the watch is live and its labels pass the filter.
 */
export type LabelFilterBehavior = 'INCLUDE' | 'EXCLUDE';

export interface GmailWatch {
  topicName: string;
  labelIds: string[];
  /** null: no filter (no labelIds given). */
  labelFilterBehavior: LabelFilterBehavior | null;
  /** Epoch ms. */
  expiration: number;
}

const TOPIC = /^projects\/([a-z0-9][a-z0-9.:-]*)\/topics\/([A-Za-z][\w.~+%-]*)$/;

/** The project of a well-formed topic name (`projects/<project>/topics/<topic>`), or null. */
export function topicProject(topicName: string): string | null {
  return TOPIC.exec(topicName)?.[1] ?? null;
}

/** `labelFilterBehavior`, or the deprecated `labelFilterAction` (`include`/`exclude`). */
export function filterBehavior(
  labelIds: string[],
  behavior: string | undefined,
  action: string | undefined,
): LabelFilterBehavior | null {
  const named = (behavior ?? action)?.toUpperCase();
  if (named === 'EXCLUDE') {
    return labelIds.length > 0 ? 'EXCLUDE' : null;
  }
  return labelIds.length > 0 ? 'INCLUDE' : null;
}

export class GmailWatches {
  private readonly watches = new Map<string, GmailWatch>();

  set(email: string, watch: GmailWatch): void {
    this.watches.set(email.toLowerCase(), watch);
  }

  stop(email: string): void {
    this.watches.delete(email.toLowerCase());
  }

  /** The user's live watch, if any. */
  of(email: string, now = Date.now()): GmailWatch | null {
    const watch = this.watches.get(email.toLowerCase());
    if (watch && watch.expiration <= now) {
      this.watches.delete(email.toLowerCase());
      return null;
    }
    return watch ?? null;
  }

  /**
   * The watch a change concerning `labelIds` notifies through, or null: INCLUDE needs one of the
   * watched labels, EXCLUDE is vetoed by any of them.
   */
  notifying(email: string, labelIds: readonly string[]): GmailWatch | null {
    const watch = this.of(email);
    if (!watch || watch.labelFilterBehavior === null) {
      return watch;
    }
    const hit = labelIds.some((l) => watch.labelIds.includes(l));
    return (watch.labelFilterBehavior === 'INCLUDE') === hit ? watch : null;
  }
}
