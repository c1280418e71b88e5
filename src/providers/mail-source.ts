/**
 * The narrow port a mail provider adapter implements for sync. Cursors are opaque strings owned
 * by the adapter (a Gmail history id, a Graph delta link); the sync only checkpoints them.
 * Everything else is said in Mailroom's terms: each adapter maps its own vocabulary (Gmail labels,
 * Outlook folders) to `sent` and `excluded` in a pure mapper next to it. Methods throw
 * ProviderError.
 */
export interface MailboxProfile {
  email: string;
  /** The change cursor as of now: incremental sync after a backfill starts here. */
  cursor: string;
  messagesTotal: number | null;
}

export interface MessageRef {
  id: string;
  threadId: string | null;
}

export interface MessagePage {
  messages: MessageRef[];
  nextPageToken: string | null;
  estimatedTotal: number | null;
  /**
   * On the last page, for providers whose change cursor is the end of a listing (Graph's delta
   * link); Gmail's comes from the profile before listing instead.
   */
  cursorAfter?: string;
}

export interface FetchedMessage {
  raw: Buffer;
  threadId: string | null;
  /** Sent from this mailbox (it is in the provider's sent mail). */
  sent: boolean;
  /** Spam, trash or a draft: never synced or logged. */
  excluded: boolean;
  /** The provider's own labels or folder, stored as they are for the export; no rule reads them. */
  labels: string[];
}

/**
 * What a label or folder change means for a stored message: it left the mailbox's visible mail
 * (trashed, spammed: counted as deleted), came back (undeleted, or fetched if never stored), or
 * neither.
 */
export type Visibility = 'excluded' | 'restored' | 'unchanged';

export type MailChange =
  /** `excluded` when the provider says so with the change (saves fetching excluded mail). */
  | { type: 'added'; id: string; excluded?: boolean }
  | { type: 'deleted'; id: string }
  | {
      type: 'relabeled';
      id: string;
      /** The provider's labels added and removed, stored as they are. */
      labels: { added: string[]; removed: string[] };
      visibility: Visibility;
    };

export interface ChangePage {
  changes: MailChange[];
  nextPageToken: string | null;
  /** Set on the last page: the cursor to store once every change has been applied. */
  newCursor: string | null;
}

export interface BackfillWindow {
  /** Only messages received at or after this instant (null: no date bound). */
  since: Date | null;
}

export interface MailSource {
  /**
   * True when the change cursor only exists once the listing is complete (Graph delta): a
   * count-bounded backfill then pages through the rest of the listing without fetching.
   */
  readonly cursorNeedsFullListing: boolean;
  /** Requests the provider allows in flight per mailbox (Graph: 4; Gmail: about 10). */
  readonly maxConcurrency: number;
  getProfile(): Promise<MailboxProfile>;
  /** Newest first, excluding spam, trash and drafts where the provider can filter them. */
  listMessages(window: BackfillWindow, pageToken: string | null): Promise<MessagePage>;
  /** Null when the message no longer exists (deleted between listing and fetching). */
  fetchMessage(id: string): Promise<FetchedMessage | null>;
  /** Throws CURSOR_INVALID when the cursor is older than the provider keeps. */
  listChanges(cursor: string, pageToken: string | null): Promise<ChangePage>;
}
